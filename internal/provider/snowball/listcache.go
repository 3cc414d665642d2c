package snowball

import (
	"sync"

	api "github.com/jobplane/jobplane/internal/api/snowball"
)

// listCache keeps recent job list pages, each with the account's job
// version it was read at (store.SnowballStore.SnowballJobsVersion): a page is
// served again only while the version is unchanged, so a list is never
// staler than the store, on any node, and costs one point read instead of a
// range scan.
type listCache struct {
	mu    sync.Mutex
	pages map[listKey]listPage
}

// maxCachedPages bounds the cache; when full it starts over.
const maxCachedPages = 4096

type listKey struct {
	account, op, filter, token string
	limit                      int
}

type listPage struct {
	version int64
	entries []api.JobListEntry
	next    *string
}

func (c *listCache) get(k listKey, version int64) (listPage, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.pages[k]
	return p, ok && p.version == version
}

func (c *listCache) put(k listKey, p listPage) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.pages == nil || len(c.pages) >= maxCachedPages {
		c.pages = make(map[listKey]listPage)
	}
	c.pages[k] = p
}
