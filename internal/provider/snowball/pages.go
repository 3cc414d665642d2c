package snowball

import (
	"context"
	"encoding/binary"
	"time"

	api "github.com/jobplane/jobplane/internal/api/snowball"
	"github.com/jobplane/jobplane/internal/store"
)

// Pagination (spec §11, docs/snowball.md): MaxResults 1..100 is the page
// size, and an absent or 0 MaxResults means defaultPageSize. Lists are
// newest first, ties broken by id, and a NextToken is the last entry's
// (creation time, id) sealed with pagetoken for the caller's account, the
// operation and its filter: any other token is InvalidNextTokenException.
// Paging by position rather than by offset keeps a listing complete and free
// of duplicates while entries are being created.

// defaultPageSize is the page size when MaxResults is absent or 0.
const defaultPageSize = 100

func pageSize(max *int32) int {
	if max == nil || *max <= 0 {
		return defaultPageSize
	}
	return int(min(*max, 100))
}

func (p *Provider) scope(ctx context.Context, op, filter string) string {
	return account(ctx) + "\x00" + op + "\x00" + filter
}

func badToken() error {
	return &api.InvalidNextTokenException{Message: ptr("The NextToken is not valid: pass the token exactly as it was returned, to the same operation.")}
}

// openCursor returns the position a NextToken stands for, nil for none.
func (p *Provider) openCursor(ctx context.Context, op, filter string, token *string) (*store.SnowballCursor, error) {
	if token == nil {
		return nil, nil
	}
	raw, err := p.tokens.Open(p.scope(ctx, op, filter), *token)
	if err != nil || len(raw) < 9 {
		return nil, badToken()
	}
	return &store.SnowballCursor{CreatedAt: time.Unix(0, int64(binary.BigEndian.Uint64(raw))).UTC(), ID: string(raw[8:])}, nil
}

// sealCursor returns the NextToken for the position after (at, id).
func (p *Provider) sealCursor(ctx context.Context, op, filter string, at time.Time, id string) *string {
	raw := binary.BigEndian.AppendUint64(make([]byte, 0, 8+len(id)), uint64(at.UnixNano()))
	t := p.tokens.Seal(p.scope(ctx, op, filter), append(raw, id...))
	return &t
}

// keysetPage reads one page of a list paged by position: it opens token,
// asks list for one entry more than the page holds after that position, and
// seals the token of the rest when that extra entry exists. pos gives an
// entry's position (creation time, id).
func keysetPage[T any](ctx context.Context, p *Provider, op, filter string, token *string, max *int32,
	list func(after *store.SnowballCursor, n int) ([]T, error), pos func(T) (time.Time, string)) ([]T, *string, error) {
	after, err := p.openCursor(ctx, op, filter, token)
	if err != nil {
		return nil, nil, err
	}
	limit := pageSize(max)
	items, err := list(after, limit+1)
	if err != nil {
		return nil, nil, err
	}
	var next *string
	if len(items) > limit {
		items = items[:limit]
		at, id := pos(items[limit-1])
		next = p.sealCursor(ctx, op, filter, at, id)
	}
	return items, next, nil
}

// pageEnd is where a page of a fixed list ends, and the token for the rest.
type pageEnd struct {
	end   int
	token *string
}

// staticPage pages a fixed list of n entries (the catalogues): the token
// holds the offset of the next page.
func (p *Provider) staticPage(ctx context.Context, op, filter string, token *string, max *int32, n int) (int, pageEnd, error) {
	from := 0
	if token != nil {
		raw, err := p.tokens.Open(p.scope(ctx, op, filter), *token)
		if err != nil || len(raw) != 4 {
			return 0, pageEnd{}, badToken()
		}
		from = int(binary.BigEndian.Uint32(raw))
		if from > n {
			return 0, pageEnd{}, badToken()
		}
	}
	end := min(from+pageSize(max), n)
	pe := pageEnd{end: end}
	if end < n {
		t := p.tokens.Seal(p.scope(ctx, op, filter), binary.BigEndian.AppendUint32(nil, uint32(end)))
		pe.token = &t
	}
	return from, pe, nil
}
