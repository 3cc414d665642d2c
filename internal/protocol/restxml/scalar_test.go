package restxml

import (
	"testing"
	"time"
)

// appendISOMillis writes exactly what time.Format does with the same
// layout, for every year time.Format can write.
func TestAppendISOMillisMatchesFormat(t *testing.T) {
	east := time.FixedZone("east", 5*3600+1800)
	times := []time.Time{
		time.Date(2026, 11, 21, 23, 59, 59, 999_999_999, time.UTC),
		time.Date(2026, 1, 2, 3, 4, 5, 6_000_000, east),
		time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 1_000_000, time.UTC),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(-1, 6, 15, 12, 0, 0, 0, time.UTC),
		time.Unix(0, 0),
		{},
	}
	for i := range 1000 {
		times = append(times, time.UnixMilli(int64(i)*7_919_999_937_777).In(east))
	}
	for _, tm := range times {
		want := tm.UTC().Format(isoMillis)
		if got := string(appendISOMillis([]byte("x"), tm)); got != "x"+want {
			t.Errorf("appendISOMillis(%v) = %q, want %q", tm, got, "x"+want)
		}
	}
}
