package batch

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// TestWindowCheckpointsNameEveryRowOnce completes rows in a random order and,
// after every step, checks the checkpoint against a model: the rows it calls
// done are exactly the rows completed, so a resume from it runs every other
// row and no row twice.
func TestWindowCheckpointsNameEveryRowOnce(t *testing.T) {
	const rows, size = 3000, 50
	rng := rand.New(rand.NewPCG(1, 2))
	w := NewWindow(size, 0, 0, nil)
	ctx := context.Background()
	completed := map[int64]bool{}
	var pending []int64
	offset := func(r int64) int64 { return (r + 1) * 10 } // the manifest offset after row r
	claimed := int64(0)
	for len(completed) < rows {
		// Claim while there is room, as the manifest reader would.
		for claimed < rows && claimed-firstNotDone(completed) < size {
			r, run, err := w.Next(ctx)
			if err != nil || !run || r != claimed {
				t.Fatalf("Next = %d %v %v, want %d", r, run, err, claimed)
			}
			pending = append(pending, r)
			claimed++
		}
		i := rng.IntN(len(pending))
		r := pending[i]
		pending = slices.Delete(pending, i, i+1)
		w.Done(r, offset(r))
		completed[r] = true

		mark, off, done := w.Checkpoint()
		if mark != firstNotDone(completed) {
			t.Fatalf("watermark %d, want %d", mark, firstNotDone(completed))
		}
		if (mark == 0 && off != 0) || (mark > 0 && off != offset(mark-1)) {
			t.Fatalf("offset %d at watermark %d", off, mark)
		}
		for _, d := range done {
			if d < mark || !completed[d] {
				t.Fatalf("row %d reported done beyond the watermark %d", d, mark)
			}
		}
		if len(done) != countFrom(completed, mark) || len(done) >= size {
			t.Fatalf("%d rows done beyond the watermark, model says %d, window %d", len(done), countFrom(completed, mark), size)
		}
	}
}

func firstNotDone(done map[int64]bool) int64 {
	r := int64(0)
	for done[r] {
		r++
	}
	return r
}

func countFrom(done map[int64]bool, from int64) int {
	n := 0
	for r := range done {
		if r >= from {
			n++
		}
	}
	return n
}

func TestAResumedWindowSkipsRowsAlreadyDone(t *testing.T) {
	w := NewWindow(10, 100, 5000, []int64{101, 104, 99})
	ctx := context.Background()
	var ran []int64
	for range 6 {
		r, run, err := w.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if run {
			ran = append(ran, r)
		}
		w.Done(r, 5000+(r-99)*10)
	}
	if !slices.Equal(ran, []int64{100, 102, 103, 105}) {
		t.Fatalf("ran %v, want 100 102 103 105 (101 and 104 were done)", ran)
	}
	if mark, off, done := w.Checkpoint(); mark != 106 || off != 5060 || len(done) != 0 {
		t.Fatalf("checkpoint %d %d %v", mark, off, done)
	}
}

func TestAFullWindowWaitsForTheWatermark(t *testing.T) {
	w := NewWindow(2, 0, 0, nil)
	ctx := context.Background()
	w.Next(ctx)
	w.Next(ctx)
	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	if _, _, err := w.Next(short); err == nil {
		t.Fatal("a third row was handed out of a full window")
	}
	w.Done(1, 20) // beyond the watermark: no room yet
	got := make(chan int64, 1)
	go func() {
		r, _, _ := w.Next(ctx)
		got <- r
	}()
	w.Done(0, 10)
	select {
	case r := <-got:
		if r != 2 {
			t.Fatalf("row %d", r)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the window never made room")
	}
}
