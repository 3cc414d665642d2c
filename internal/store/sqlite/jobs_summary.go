package sqlite

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/jobplane/jobplane/internal/store"
)

// A job's summary column holds what a ListJobs item shows as one text
// value: the fields below joined by the unit separator (0x1f), with the
// description (the only free-text field) escaped so that it holds neither
// separator. A list reads a page as one value, the page's summaries joined
// by the record separator (0x1e), from an index that carries the summary:
// visiting the rows, or reading a dozen columns of a hundred rows, costs
// several times more through the driver than the query itself. Every write
// that changes a field rewrites the summary in the same statement.

// sep separates the summary's fields.
const sep = "\x1f"

// summaryFields are the columns of the summary in order; the nullable
// ones are written as "" when NULL.
var summaryFields = []struct {
	col      string
	nullable bool
}{
	{"job_id", false}, {"status", false}, {"operation", false}, {"priority", false}, {"created_ms", false},
	{"terminated_ms", true}, {"total_tasks", false}, {"tasks_succeeded", false}, {"tasks_failed", false},
	{"active_seconds", false}, {"active_since_ms", true}, {"description", false},
}

// The description's escapes, in Go and in SQL.
var (
	escapeDescription   = strings.NewReplacer("%", "%25", "\x1f", "%1F", "\x1e", "%1E")
	unescapeDescription = strings.NewReplacer("%25", "%", "%1F", "\x1f", "%1E", "\x1e")
)

const escapedDescriptionSQL = "replace(replace(replace(description, '%', '%25'), char(31), '%1F'), char(30), '%1E')"

// summaryExpr returns the SQL expression of the summary, with the columns
// named in with replaced by the given SQL (the new values an UPDATE sets:
// its SET expressions see the old ones).
func summaryExpr(with map[string]string) string {
	parts := make([]string, len(summaryFields))
	for i, f := range summaryFields {
		v, ok := with[f.col]
		if !ok {
			v = f.col
		}
		if f.col == "description" {
			v = escapedDescriptionSQL
		}
		if f.nullable {
			v = "ifnull(" + v + ", '')"
		}
		parts[i] = v
	}
	return strings.Join(parts, " || char(31) || ")
}

// formatSummary is summaryExpr computed in Go, for an INSERT.
func formatSummary(j *store.Job) string {
	ms := func(v any) string {
		if v == nil {
			return ""
		}
		return strconv.FormatInt(v.(int64), 10)
	}
	return strings.Join([]string{
		j.ID, j.State.Status, j.Operation, strconv.FormatInt(int64(j.Priority), 10),
		strconv.FormatInt(millis(j.CreatedAt), 10), ms(nullMillis(j.State.TerminatedAt)),
		strconv.FormatInt(j.Progress.TotalTasks, 10), strconv.FormatInt(j.Progress.Succeeded, 10),
		strconv.FormatInt(j.Progress.Failed, 10), strconv.FormatInt(j.State.ActiveSeconds, 10),
		ms(nullMillis(j.State.ActiveSince)), escapeDescription.Replace(j.Description),
	}, sep)
}

// parseSummary reads a summary.
func parseSummary(raw string) (store.JobSummary, error) {
	var s store.JobSummary
	var f [12]string // len(summaryFields), without allocating
	rest := raw
	for i := range len(f) - 1 {
		end := strings.IndexByte(rest, sep[0])
		if end < 0 {
			return s, fmt.Errorf("store: job summary %q has %d fields, want %d", raw, i+1, len(summaryFields))
		}
		f[i], rest = rest[:end], rest[end+1:]
	}
	f[len(f)-1] = rest
	var err error
	num := func(v string) int64 {
		if v == "" || err != nil {
			return 0
		}
		var n int64
		n, err = strconv.ParseInt(v, 10, 64)
		return n
	}
	s.ID, s.Status, s.Operation = f[0], f[1], f[2]
	s.Priority = int32(num(f[3]))
	s.CreatedAt = fromMillis(num(f[4]))
	if f[5] != "" {
		s.TerminatedAt = fromMillis(num(f[5]))
	}
	s.Progress = store.JobProgress{TotalTasks: num(f[6]), Succeeded: num(f[7]), Failed: num(f[8])}
	s.ActiveSeconds = num(f[9])
	if f[10] != "" {
		s.ActiveSince = fromMillis(num(f[10]))
	}
	s.Description = f[11]
	if strings.IndexByte(s.Description, '%') >= 0 {
		s.Description = unescapeDescription.Replace(s.Description)
	}
	if err != nil {
		return s, fmt.Errorf("store: job summary %q: %w", raw, err)
	}
	return s, nil
}
