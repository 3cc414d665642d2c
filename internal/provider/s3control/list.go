package s3control

import (
	"context"
	"encoding/binary"
	"errors"
	"slices"
	"strings"
	"time"

	api "github.com/jobplane/jobplane/internal/api/s3control"
	"github.com/jobplane/jobplane/internal/pagetoken"
	"github.com/jobplane/jobplane/internal/store"
)

// DefaultMaxResults is the page size of a ListJobs without MaxResults, or
// with MaxResults 0. AWS documents neither (spec §6, §12) [I]: jobplane
// answers the model's largest page, because the AWS CLI v1 and boto3 have
// no paginator for ListJobs (spec §2) and a caller that sets no size most
// likely reads one page only; 0 cannot mean "no jobs", which would hand a
// paginating caller an empty page with a token forever.
const DefaultMaxResults = 1000

// ListJobs implements api.Service: the account's jobs, newest first (ties
// by JobId ascending), filtered by status, with NextToken a signed keyset
// cursor (spec §6).
func (p *Provider) ListJobs(ctx context.Context, in *api.ListJobsRequest) (*api.ListJobsResult, error) {
	account := deref(in.AccountId)
	statuses := make([]string, len(in.JobStatuses))
	for i, s := range in.JobStatuses {
		statuses[i] = string(s)
	}
	// The filter is a set: SigV4 sorts repeated query keys (docs/protocols.md).
	slices.Sort(statuses)
	statuses = slices.Compact(statuses)
	scope := listScope(account, statuses)

	q := store.JobQuery{AccountID: account, Statuses: statuses, Limit: int(deref(in.MaxResults))}
	if q.Limit <= 0 {
		q.Limit = DefaultMaxResults
	}
	if in.NextToken != nil {
		c, err := p.openToken(scope, *in.NextToken)
		if err != nil {
			return nil, err
		}
		q.After = &c
	}
	// A job whose Suspended time ran out must not be listed as Suspended.
	if _, err := p.expireDue(ctx); err != nil {
		return nil, err
	}
	now := p.now()
	q.TerminatedAfter = now.Add(-p.retention)
	page, err := p.jobs.ListJobs(ctx, q)
	if err != nil {
		return nil, err
	}
	out := &api.ListJobsResult{Jobs: summarizeAll(page.Jobs, now)}
	if page.More {
		last := page.Jobs[len(page.Jobs)-1]
		out.NextToken = ptr(p.sealer.Seal(scope, encodeCursor(last.Cursor())))
	}
	return out, nil
}

// listScope binds a token to the account and the status filter, not to the
// page size: a caller may change MaxResults between pages.
func listScope(account string, sortedStatuses []string) string {
	return "ListJobs\x00" + account + "\x00" + strings.Join(sortedStatuses, ",")
}

// A cursor is the creation time in Unix milliseconds (8 bytes, big endian)
// followed by the job id.
func encodeCursor(c store.JobCursor) []byte {
	b := make([]byte, 8, 8+len(c.JobID))
	binary.BigEndian.PutUint64(b, uint64(c.CreatedAt.UnixMilli()))
	return append(b, c.JobID...)
}

func (p *Provider) openToken(scope, token string) (store.JobCursor, error) {
	raw, err := p.sealer.Open(scope, token)
	if err != nil || len(raw) < 8+5 {
		if err == nil {
			err = pagetoken.ErrInvalid
		}
		return store.JobCursor{}, invalidToken(err)
	}
	ms := int64(binary.BigEndian.Uint64(raw))
	return store.JobCursor{CreatedAt: time.UnixMilli(ms).UTC(), JobID: string(raw[8:])}, nil
}

func invalidToken(err error) error {
	if !errors.Is(err, pagetoken.ErrInvalid) {
		return err
	}
	return &api.InvalidNextTokenException{Message: ptr("The NextToken is not valid for this account and filter.")}
}
