// Package remote is the object store that keeps jobplane's objects in an
// external S3-compatible endpoint (AWS S3, MinIO, Ceph, moto_server) through
// aws-sdk-go-v2: every method is the matching S3 call, and the endpoint's
// own answers (its errors included) are what the contract returns.
//
// What the endpoint does not offer through S3 the store cannot do
// (PutObjectReplicationStatus answers NotImplemented), and what S3 computes
// itself (default checksums, ETags, restore times) is the endpoint's.
// Bucket ownership is the endpoint's too: every call is made with the one
// set of credentials the store was given.
package remote

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/jobplane/jobplane/internal/apierror"
	"github.com/jobplane/jobplane/internal/objectstore"
)

// Options configure a remote store.
type Options struct {
	// Endpoint is the S3 endpoint's URL; empty means AWS S3 itself.
	Endpoint string
	// PathStyle addresses buckets in the path (/bucket/key) rather than in
	// the host name (bucket.endpoint), as most self-hosted endpoints need.
	PathStyle bool
	// Region signs requests; empty takes it from the AWS environment
	// (AWS_REGION), else us-east-1.
	Region string
	// Credentials override the standard AWS credential chain (environment,
	// shared files, instance roles).
	Credentials aws.CredentialsProvider
	// HTTPClient sends the requests; nil uses the SDK's.
	HTTPClient *http.Client
}

// Store is an object store in a remote S3 endpoint. It implements
// objectstore.Store.
type Store struct {
	c      *awss3.Client
	region string
}

var _ objectstore.Store = (*Store)(nil)

// New returns a store using the endpoint. Credentials come from the
// standard AWS environment unless opts names them.
func New(ctx context.Context, opts Options) (*Store, error) {
	var loadOpts []func(*config.LoadOptions) error
	if opts.Region != "" {
		loadOpts = append(loadOpts, config.WithRegion(opts.Region))
	}
	if opts.Credentials != nil {
		loadOpts = append(loadOpts, config.WithCredentialsProvider(opts.Credentials))
	}
	cfg, err := config.LoadDefaultConfig(ctx, loadOpts...)
	if err != nil {
		return nil, fmt.Errorf("remote: loading the AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	c := awss3.NewFromConfig(cfg, func(o *awss3.Options) {
		if opts.Endpoint != "" {
			o.BaseEndpoint = aws.String(opts.Endpoint)
		}
		o.UsePathStyle = opts.PathStyle
		if opts.HTTPClient != nil {
			o.HTTPClient = opts.HTTPClient
		}
		// Checksums are sent when a caller names one, as jobplane's own
		// clients asked; the SDK computing its own for every upload would
		// need seekable bodies.
		o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
		o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
		// Without this the SDK logs a line for every GetObject answered
		// without a checksum, which is most of them.
		o.DisableLogOutputChecksumValidationSkipped = true
	})
	return &Store{c: c, region: cfg.Region}, nil
}

// mapErr turns an SDK error into the contract's: the endpoint's S3 error
// as an *apierror.Error with its code and status, HEAD's bodiless 404s as
// the NoSuch* error they mean.
func mapErr(err error, bucket, key string, notFound func() error) error {
	if err == nil {
		return nil
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return err
	}
	status := http.StatusBadRequest
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		status = re.HTTPStatusCode()
	}
	code := ae.ErrorCode()
	switch {
	case code == "NotFound" && notFound != nil:
		return notFound()
	case code == "NoSuchBucket":
		return objectstore.ErrNoSuchBucket(bucket)
	case code == "NoSuchKey":
		return objectstore.ErrNoSuchKey(key)
	case status == http.StatusNotModified:
		return apierror.New(objectstore.CodeNotModified, status, "Not Modified")
	}
	e := apierror.New(code, status, ae.ErrorMessage())
	if bucket != "" && strings.HasPrefix(code, "Bucket") {
		e.With("BucketName", bucket)
	}
	return e
}

// missing is what a bodiless 404 on an object means: the bucket or the key
// is missing, which only the bucket tells.
func (s *Store) missing(ctx context.Context, bucket, key, versionID string) func() error {
	return func() error {
		if _, err := s.c.HeadBucket(ctx, &awss3.HeadBucketInput{Bucket: aws.String(bucket)}); err != nil {
			return objectstore.ErrNoSuchBucket(bucket)
		}
		if versionID != "" {
			return objectstore.ErrNoSuchVersion(key, versionID)
		}
		return objectstore.ErrNoSuchKey(key)
	}
}

func str(p *string) string { return aws.ToString(p) }

func strPtr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func timeVal(p *time.Time) time.Time {
	if p == nil {
		return time.Time{}
	}
	return p.UTC()
}

func tagsOut(ts []objectstore.Tag) []types.Tag {
	out := make([]types.Tag, len(ts))
	for i, t := range ts {
		out[i] = types.Tag{Key: aws.String(t.Key), Value: aws.String(t.Value)}
	}
	return out
}

func tagsIn(ts []types.Tag) []objectstore.Tag {
	if ts == nil {
		return nil
	}
	out := make([]objectstore.Tag, len(ts))
	for i, t := range ts {
		out[i] = objectstore.Tag{Key: str(t.Key), Value: str(t.Value)}
	}
	return out
}

// taggingHeader renders a tag set as x-amz-tagging.
func taggingHeader(ts []objectstore.Tag) *string {
	if len(ts) == 0 {
		return nil
	}
	var b strings.Builder
	for i, t := range ts {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(queryEscape(t.Key) + "=" + queryEscape(t.Value))
	}
	return aws.String(b.String())
}

func aclPolicy(acl objectstore.ACL) *types.AccessControlPolicy {
	p := &types.AccessControlPolicy{Owner: &types.Owner{ID: strPtr(acl.Owner.ID)}}
	for _, g := range acl.Grants {
		p.Grants = append(p.Grants, types.Grant{Permission: types.Permission(g.Permission), Grantee: &types.Grantee{
			Type: types.Type(g.Grantee.Type), ID: strPtr(g.Grantee.ID), URI: strPtr(g.Grantee.URI),
			EmailAddress: strPtr(g.Grantee.EmailAddress)}})
	}
	return p
}

func aclIn(owner *types.Owner, grants []types.Grant) objectstore.ACL {
	var acl objectstore.ACL
	if owner != nil {
		acl.Owner = objectstore.Owner{ID: str(owner.ID), DisplayName: str(owner.DisplayName)}
	}
	for _, g := range grants {
		var ge objectstore.Grantee
		if g.Grantee != nil {
			ge = objectstore.Grantee{Type: string(g.Grantee.Type), ID: str(g.Grantee.ID), URI: str(g.Grantee.URI),
				EmailAddress: str(g.Grantee.EmailAddress), DisplayName: str(g.Grantee.DisplayName)}
		}
		acl.Grants = append(acl.Grants, objectstore.Grant{Grantee: ge, Permission: string(g.Permission)})
	}
	return acl
}

// grantHeaders renders an ACL's grants as the x-amz-grant-* headers of an
// upload: S3 takes an object's ACL that way when it is created.
func grantHeaders(acl objectstore.ACL) (full, read, readACP, writeACP *string) {
	lists := map[string][]string{}
	for _, g := range acl.Grants {
		if g.Grantee.Type == objectstore.GranteeCanonicalUser && g.Grantee.ID == acl.Owner.ID && g.Permission == objectstore.PermFullControl {
			continue // the owner's own grant is implied
		}
		var v string
		switch g.Grantee.Type {
		case objectstore.GranteeCanonicalUser:
			v = `id="` + g.Grantee.ID + `"`
		case objectstore.GranteeGroup:
			v = `uri="` + g.Grantee.URI + `"`
		case objectstore.GranteeEmail:
			v = `emailAddress="` + g.Grantee.EmailAddress + `"`
		}
		lists[g.Permission] = append(lists[g.Permission], v)
	}
	join := func(p string) *string { return strPtr(strings.Join(lists[p], ", ")) }
	return join(objectstore.PermFullControl), join(objectstore.PermRead), join(objectstore.PermReadACP), join(objectstore.PermWriteACP)
}

func checksumOf(alg string, v *string, typ types.ChecksumType) objectstore.Checksum {
	if v == nil {
		return objectstore.Checksum{}
	}
	return objectstore.Checksum{Algorithm: alg, Value: *v, Type: string(typ)}
}

// pickChecksum returns the one checksum a response carries.
func pickChecksum(crc32, crc32c, crc64, sha1, sha256 *string, typ types.ChecksumType) objectstore.Checksum {
	for _, c := range []objectstore.Checksum{checksumOf(objectstore.CRC32, crc32, typ), checksumOf(objectstore.CRC32C, crc32c, typ),
		checksumOf(objectstore.CRC64NVME, crc64, typ), checksumOf(objectstore.SHA1, sha1, typ), checksumOf(objectstore.SHA256, sha256, typ)} {
		if c.Algorithm != "" {
			return c
		}
	}
	return objectstore.Checksum{}
}

// parseRestore reads x-amz-restore back into a restore state.
func parseRestore(h string) *objectstore.RestoreState {
	if h == "" {
		return nil
	}
	if strings.Contains(h, `ongoing-request="true"`) {
		far := time.Now().Add(24 * time.Hour * 365)
		return &objectstore.RestoreState{ReadyAt: far, ExpiresAt: far}
	}
	_, rest, ok := strings.Cut(h, `expiry-date="`)
	if !ok {
		return nil
	}
	date, _, _ := strings.Cut(rest, `"`)
	exp, err := http.ParseTime(date)
	if err != nil {
		return nil
	}
	return &objectstore.RestoreState{ExpiresAt: exp}
}

// tagEscaper escapes what would break a tag key or value out of its place in
// x-amz-tagging.
var tagEscaper = strings.NewReplacer("%", "%25", "&", "%26", "=", "%3D", "+", "%2B", " ", "%20", "#", "%23", "?", "%3F")

func queryEscape(s string) string { return tagEscaper.Replace(s) }

func itoa(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
