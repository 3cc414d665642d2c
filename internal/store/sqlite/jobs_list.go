package sqlite

import (
	"context"
	"database/sql"
	"math"
	"slices"
	"strings"

	"github.com/jobplane/jobplane/internal/store"
)

// ListJobs implements store.Jobs. A filtered list runs one indexed range
// read per status, each bounded by the page size, and merges them: SQLite
// cannot walk an index in created order across several values of an IN list,
// and sorting every matching job would make a page cost O(jobs).
func (j *JobStore) ListJobs(ctx context.Context, q store.JobQuery) (store.JobPage, error) {
	if q.Limit < 1 {
		return store.JobPage{}, store.ErrInvalidQuery
	}
	afterMs, afterID := int64(math.MaxInt64), ""
	if q.After != nil {
		afterMs, afterID = millis(q.After.CreatedAt), q.After.JobID
	}
	termMs := int64(math.MinInt64)
	if !q.TerminatedAfter.IsZero() {
		termMs = millis(q.TerminatedAfter)
	}
	statuses := slices.Clone(q.Statuses)
	slices.Sort(statuses)
	statuses = slices.Compact(statuses)
	// Both statements take the same parameters; the unfiltered one reads
	// every status in one range.
	query := listOneSQL
	if len(statuses) == 0 {
		query, statuses = listAllSQL, []string{""}
	}
	sts, err := j.prepare(query)
	if err != nil {
		return store.JobPage{}, err
	}

	all := make([]store.JobSummary, 0, q.Limit+1)
	for _, status := range statuses {
		rows, err := sts[0].QueryContext(ctx, q.AccountID, status, afterMs, afterID, termMs, q.Limit+1)
		if err != nil {
			return store.JobPage{}, wrap(err)
		}
		if all, err = collectSummaries(rows, all); err != nil {
			return store.JobPage{}, err
		}
	}
	// One status's page comes in index order; several are merged here.
	if !slices.IsSortedFunc(all, compareSummaries) {
		slices.SortFunc(all, compareSummaries)
	}
	page := store.JobPage{Jobs: all, More: len(all) > q.Limit}
	if page.More {
		page.Jobs = all[:q.Limit:q.Limit]
	}
	return page, nil
}

// compareSummaries orders newest first, then by job id.
func compareSummaries(a, b store.JobSummary) int {
	switch {
	case a.CreatedAt.After(b.CreatedAt):
		return -1
	case a.CreatedAt.Before(b.CreatedAt):
		return 1
	case a.ID < b.ID:
		return -1
	case a.ID > b.ID:
		return 1
	}
	return 0
}

// collectSummaries reads a list query's one value: the page's summaries
// joined by the record separator (NULL when the page is empty).
func collectSummaries(rows *sql.Rows, out []store.JobSummary) ([]store.JobSummary, error) {
	defer rows.Close()
	var raw sql.NullString
	for rows.Next() {
		if err := rows.Scan(&raw); err != nil {
			return nil, wrap(err)
		}
		rest := raw.String
		for rest != "" {
			rec := rest
			if i := strings.IndexByte(rest, '\x1e'); i >= 0 {
				rec, rest = rest[:i], rest[i+1:]
			} else {
				rest = ""
			}
			s, err := parseSummary(rec)
			if err != nil {
				return nil, err
			}
			out = append(out, s)
		}
	}
	return out, wrap(rows.Err())
}
