// Package snowball is the Snowball job-management API's provider: addresses,
// import, export and local-use jobs, clusters, long-term pricing, shipping
// and device credentials, with a simulated logistics lifecycle that the
// injected clock drives. Its state lives in a store.SnowballStore; the
// provider keeps nothing in memory that a restart would lose.
package snowball

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	api "github.com/jobplane/jobplane/internal/api/snowball"
	"github.com/jobplane/jobplane/internal/caller"
	"github.com/jobplane/jobplane/internal/clock"
	"github.com/jobplane/jobplane/internal/pagetoken"
	"github.com/jobplane/jobplane/internal/store"
)

// Defaults of the provider's settings (docs/snowball.md).
const (
	// DefaultStageDuration is how long each clock-driven stage of a job
	// lasts: a day, so that a job takes about as long as a real one.
	DefaultStageDuration = 24 * time.Hour
	// DefaultLabelDuration is how long a return shipping label takes to
	// generate.
	DefaultLabelDuration = 5 * time.Minute
	// DefaultLimit is an account's Snowball quota (spec §10: 1).
	DefaultLimit = 1
	// SecretName names the store secret the provider signs tokens and URLs with.
	SecretName = "snowball"
)

// pollInterval bounds how long the lifecycle loop sleeps, so that jobs that
// another node sharing the store created are advanced in time too.
const pollInterval = time.Minute

// Options configure a Provider.
type Options struct {
	// Store keeps the API's state.
	Store store.SnowballStore
	// Clock drives the lifecycle; nil means the real clock.
	Clock clock.Clock
	// Region is the region jobplane serves; it decides the serviceable
	// area of addresses and the pickup locations.
	Region string
	// StageDuration is the length of each clock-driven lifecycle stage.
	StageDuration time.Duration
	// LabelDuration is how long a return label takes to generate.
	LabelDuration time.Duration
	// Limit is each account's SnowballLimit.
	Limit int
	// Secret is at least 32 random bytes kept across restarts (the store's
	// SecretName secret): page tokens and presigned URLs are signed with it.
	Secret []byte
	// BaseURL is where clients reach jobplane, for presigned URLs when the
	// request does not tell (e.g. "http://127.0.0.1:4588").
	BaseURL string
	// Logger receives the lifecycle loop's errors; nil discards.
	Logger *slog.Logger
}

// Provider implements the Snowball API.
type Provider struct {
	api.UnimplementedService

	st      store.SnowballStore
	clock   clock.Clock
	opts    Options
	tokens  *pagetoken.Sealer
	urlKey  []byte
	codeKey []byte
	log     *slog.Logger

	// nextDue is the earliest due time (Unix ns) this node knows of; reads
	// that find the clock past it settle the due jobs first.
	nextDue atomic.Int64
	settle  sync.Mutex
	wake    chan struct{}
	lists   listCache
}

var _ api.Service = (*Provider)(nil)

// New returns a Provider.
func New(opts Options) (*Provider, error) {
	if opts.Store == nil {
		return nil, errors.New("snowball: no store")
	}
	if opts.Clock == nil {
		opts.Clock = clock.Real{}
	}
	if opts.StageDuration <= 0 {
		return nil, errors.New("snowball: the stage duration must be positive")
	}
	if opts.LabelDuration < 0 {
		return nil, errors.New("snowball: the label duration must not be negative")
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	derive := func(label string) []byte {
		m := hmac.New(sha256.New, opts.Secret)
		m.Write([]byte(label))
		return m.Sum(nil)
	}
	if len(opts.Secret) < 32 {
		return nil, errors.New("snowball: the secret must be at least 32 bytes")
	}
	tokens, err := pagetoken.New(derive("page tokens"))
	if err != nil {
		return nil, err
	}
	p := &Provider{st: opts.Store, clock: opts.Clock, opts: opts, tokens: tokens,
		urlKey: derive("presigned urls"), codeKey: derive("unlock codes"), log: opts.Logger,
		wake: make(chan struct{}, 1)}
	// Unknown until the first settle: a read settles at once.
	p.nextDue.Store(math.MinInt64)
	return p, nil
}

// Run advances jobs as the clock reaches their due times until ctx ends.
// Requests settle due jobs themselves before they read, so Run only keeps
// the stored states (and so other nodes' reads) moving when nobody asks.
func (p *Provider) Run(ctx context.Context) {
	for {
		if err := p.catchUp(ctx, true); err != nil && ctx.Err() == nil {
			p.log.Error("snowball lifecycle", "error", err)
		}
		wait := pollInterval
		if next := p.nextDue.Load(); next != math.MaxInt64 && next != math.MinInt64 {
			wait = min(wait, max(time.Duration(next-p.clock.Now().UnixNano()), 0))
		}
		select {
		case <-ctx.Done():
			return
		case <-p.clock.After(wait):
		case <-p.wake:
		}
	}
}

// noteDue tells the provider about a new due time.
func (p *Provider) noteDue(t time.Time) {
	if t.IsZero() {
		return
	}
	ns := t.UnixNano()
	for {
		cur := p.nextDue.Load()
		if cur <= ns || p.nextDue.CompareAndSwap(cur, ns) {
			break
		}
	}
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// catchUp settles every group with a job due by now. Unless force is set it
// returns at once when no job this node knows of is due, which keeps reads
// to one atomic load.
func (p *Provider) catchUp(ctx context.Context, force bool) error {
	if !force && p.clock.Now().UnixNano() < p.nextDue.Load() {
		return nil
	}
	p.settle.Lock()
	defer p.settle.Unlock()
	now := p.clock.Now()
	if !force && now.UnixNano() < p.nextDue.Load() {
		return nil
	}
	const batch = 100
	for {
		refs, err := p.st.DueSnowballGroups(ctx, now, batch)
		if err != nil {
			return err
		}
		for _, ref := range refs {
			err := p.st.UpdateSnowballGroup(ctx, ref.Account, ref.ID, func(g *store.SnowballGroup) error {
				p.settleGroup(g, now)
				return nil
			})
			if err != nil && !errors.Is(err, store.ErrSnowballNotFound) {
				return err
			}
		}
		if len(refs) < batch {
			break
		}
	}
	next, ok, err := p.st.NextSnowballDue(ctx)
	if err != nil {
		return err
	}
	if !ok {
		p.nextDue.Store(math.MaxInt64)
	} else {
		p.nextDue.Store(next.UnixNano())
	}
	return nil
}

// ptr returns a pointer to v.
func ptr[T any](v T) *T { return &v }

// str returns *s, or "" for nil.
func str[T ~string](s *T) string {
	if s == nil {
		return ""
	}
	return string(*s)
}

func account(ctx context.Context) string { return caller.From(ctx).AccountID }

func (p *Provider) region(ctx context.Context) string {
	if r := caller.From(ctx).Region; r != "" {
		return r
	}
	return p.opts.Region
}

func newID(prefix string) string { return prefix + uuid.NewString() }

// invalidResource is the error for a resource that does not exist, is not
// the caller's, or is not usable.
func invalidResource(kind, format string, args ...any) error {
	return &api.InvalidResourceException{Message: ptr(fmt.Sprintf(format, args...)), ResourceType: ptr(kind)}
}

func invalidState(format string, args ...any) error {
	return &api.InvalidJobStateException{Message: ptr(fmt.Sprintf(format, args...))}
}

// validation is the Coral-style error for a member a mode of an operation
// needs although the model leaves it optional (docs/errors.md).
func validation(member string) error {
	return &validationError{member}
}

type validationError struct{ member string }

func (e *validationError) Error() string { return "ValidationException: " + e.ErrorMessage() }

// ErrorCode implements apierror.Coded.
func (e *validationError) ErrorCode() string { return "ValidationException" }

// HTTPStatusCode implements apierror.Coded.
func (e *validationError) HTTPStatusCode() int { return http.StatusBadRequest }

// ErrorMessage implements apierror.Coded.
func (e *validationError) ErrorMessage() string {
	return "1 validation error detected: Value null at '" + e.member + "' failed to satisfy constraint: Member must not be null"
}

// baseURL is where the caller reached jobplane: the local address of the
// request's connection, else the configured base URL.
func (p *Provider) baseURL(ctx context.Context) string {
	if a, ok := ctx.Value(http.LocalAddrContextKey).(net.Addr); ok && a != nil {
		host := a.String()
		if tcp, ok := a.(*net.TCPAddr); ok && tcp.IP.IsUnspecified() {
			host = net.JoinHostPort("127.0.0.1", fmt.Sprint(tcp.Port))
		}
		return "http://" + host
	}
	return strings.TrimSuffix(p.opts.BaseURL, "/")
}
