// Package s3 is jobplane's S3 API provider: it maps the S3 operations of the
// generated API (internal/api/s3) onto an objectstore.Store and owns what is
// HTTP about S3: header syntax, conditional requests and ranges, response-*
// overrides, checksum headers and aws-chunked trailers, status codes, the
// encoding of listings, and who may do what to whose bucket.
package s3

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	api "github.com/jobplane/jobplane/internal/api/s3"
	"github.com/jobplane/jobplane/internal/apierror"
	"github.com/jobplane/jobplane/internal/caller"
	"github.com/jobplane/jobplane/internal/clock"
	"github.com/jobplane/jobplane/internal/objectstore"
	"github.com/jobplane/jobplane/internal/pagetoken"
)

// Options configure a Provider.
type Options struct {
	// Store holds the buckets and objects.
	Store objectstore.Store
	// Clock is read for dates the provider computes (restore headers).
	Clock clock.Clock
	// Region is the region jobplane serves: buckets are created there.
	Region string
	// TokenKey signs ListObjectsV2 continuation tokens and ListBuckets
	// tokens (at least 32 bytes, kept across restarts).
	TokenKey []byte
	// Endpoint is the base URL clients reach jobplane at, for the Location
	// of completed uploads ("http://localhost:4588"). Empty uses the
	// request's host.
	Endpoint string
	// SkipAccessChecks leaves authorization to the store (remote mode: the
	// remote endpoint decides with its own credentials).
	SkipAccessChecks bool
}

// Provider serves the S3 API.
type Provider struct {
	api.UnimplementedService
	store  objectstore.Store
	clock  clock.Clock
	region string
	// tokens seals ListBuckets continuation tokens.
	tokens *pagetoken.Sealer
	// keyTokens seals ListObjectsV2 continuation tokens, whose cursor is a
	// key of up to 1,024 bytes: more than tokens takes, as S3 puts no bound
	// on the length of this token.
	keyTokens *pagetoken.Sealer
	opts      Options
}

var _ api.Service = (*Provider)(nil)

// New returns a provider.
func New(opts Options) (*Provider, error) {
	if opts.Store == nil {
		return nil, errors.New("s3: a store is required")
	}
	if opts.Clock == nil {
		opts.Clock = clock.Real{}
	}
	if opts.Region == "" {
		opts.Region = "us-east-1"
	}
	tokens, err := pagetoken.New(opts.TokenKey)
	if err != nil {
		return nil, err
	}
	keyTokens, err := pagetoken.NewWithMaxCursor(opts.TokenKey, objectstore.MaxKeyLength)
	if err != nil {
		return nil, err
	}
	return &Provider{store: opts.Store, clock: opts.Clock, region: opts.Region, tokens: tokens, keyTokens: keyTokens, opts: opts}, nil
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func ptr[T any](v T) *T { return &v }

// strPtr returns nil for "", so that empty values are not sent.
func strPtr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func boolVal(p *bool) bool { return p != nil && *p }

func intVal(p *int32, def int) int {
	if p == nil {
		return def
	}
	return int(*p)
}

// who is the caller of a request.
func who(ctx context.Context) (account string, authenticated bool) {
	c := caller.From(ctx)
	return c.AccountID, c.Authenticated || c.AccessKeyID != ""
}

// bucket returns a bucket the caller may act on with perm: its owner may do
// anything; anyone else needs a grant of the bucket's ACL (Amazon S3 User
// Guide, "Access control list (ACL) overview"). expected is the
// x-amz-expected-bucket-owner header, refused with 403 when it names another
// account. perm "" means only the owner.
//
// With SkipAccessChecks it does not look the bucket up (the operation that
// follows answers NoSuchBucket itself) and returns only its name: callers
// that read the bucket's configuration use bucketInfo.
func (p *Provider) bucket(ctx context.Context, name, expected, perm string) (objectstore.Bucket, error) {
	if p.opts.SkipAccessChecks {
		return objectstore.Bucket{Name: name}, nil
	}
	return p.bucketInfo(ctx, name, expected, perm)
}

// bucketInfo is bucket, always with the bucket's whole configuration.
func (p *Provider) bucketInfo(ctx context.Context, name, expected, perm string) (objectstore.Bucket, error) {
	b, err := p.store.HeadBucket(ctx, name)
	if err != nil {
		return b, err
	}
	if p.opts.SkipAccessChecks {
		return b, nil
	}
	account, authenticated := who(ctx)
	if expected != "" && expected != b.Owner {
		return b, objectstore.ErrAccessDenied("")
	}
	if account == b.Owner || (perm != "" && b.ACL.Allows(account, authenticated, perm)) {
		return b, nil
	}
	return b, objectstore.ErrAccessDenied("")
}

// canReadObject reports whether the caller may read an object of b: the
// bucket owner, the object's writer, or a grantee of the object's ACL.
func (p *Provider) canReadObject(ctx context.Context, b objectstore.Bucket, o objectstore.ObjectInfo, perm string) error {
	if p.opts.SkipAccessChecks {
		return nil
	}
	account, authenticated := who(ctx)
	if account == b.Owner || account == o.Owner || o.ACL.Allows(account, authenticated, perm) {
		return nil
	}
	return objectstore.ErrAccessDenied("")
}

// httpDate formats a time as an HTTP date.
func httpDate(t time.Time) string { return t.UTC().Format(http.TimeFormat) }

// owner renders an account as the S3 Owner element.
func owner(account string) *api.Owner {
	if account == "" {
		return nil
	}
	return &api.Owner{ID: ptr(objectstore.CanonicalID(account))}
}

// versionHeader is the x-amz-version-id of a version: absent for buckets
// that never had versioning (the store leaves the id empty there).
func versionHeader(id string) *string { return strPtr(id) }

// storageClassHeader is x-amz-storage-class: S3 omits it for STANDARD.
func storageClassHeader(class string) *api.StorageClass {
	if class == "" || class == objectstore.StorageStandard {
		return nil
	}
	return ptr(api.StorageClass(class))
}

// invalidArgument is S3's 400 InvalidArgument naming the argument.
func invalidArgument(msg, name, value string) error {
	return objectstore.ErrInvalidArgument(msg, name, value)
}

// errNoSuchTagSet is GetBucketTagging's answer for a bucket without tags.
func errNoSuchTagSet(bucket string) error {
	return apierror.New("NoSuchTagSet", http.StatusNotFound, "The TagSet does not exist").With("BucketName", bucket)
}

// location is the URL S3 gives an object in CompleteMultipartUpload.
func (p *Provider) location(bucket, key string) string {
	base := strings.TrimRight(p.opts.Endpoint, "/")
	if base == "" {
		base = "http://s3." + p.region + ".localhost"
	}
	return base + "/" + bucket + "/" + escapePath(key)
}
