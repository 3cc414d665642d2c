package s3

import (
	"net/url"
	"strings"

	api "github.com/jobplane/jobplane/internal/api/s3"
	"github.com/jobplane/jobplane/internal/objectstore"
	"github.com/jobplane/jobplane/internal/sigv4"
)

func tagsIn(ts []api.Tag) []objectstore.Tag {
	if ts == nil {
		return nil
	}
	out := make([]objectstore.Tag, len(ts))
	for i, t := range ts {
		out[i] = objectstore.Tag{Key: str(t.Key), Value: str(t.Value)}
	}
	return out
}

func tagsOut(ts []objectstore.Tag) []api.Tag {
	out := make([]api.Tag, len(ts))
	for i, t := range ts {
		out[i] = api.Tag{Key: ptr(t.Key), Value: ptr(t.Value)}
	}
	return out
}

func grantsOut(acl objectstore.ACL) (*api.Owner, []api.Grant) {
	var o *api.Owner
	if acl.Owner.ID != "" {
		o = &api.Owner{ID: ptr(acl.Owner.ID), DisplayName: strPtr(acl.Owner.DisplayName)}
	}
	grants := make([]api.Grant, len(acl.Grants))
	for i, g := range acl.Grants {
		ge := &api.Grantee{Type: ptr(api.Type(g.Grantee.Type)), ID: strPtr(g.Grantee.ID), URI: strPtr(g.Grantee.URI),
			EmailAddress: strPtr(g.Grantee.EmailAddress), DisplayName: strPtr(g.Grantee.DisplayName)}
		grants[i] = api.Grant{Grantee: ge, Permission: ptr(api.Permission(g.Permission))}
	}
	return o, grants
}

// aclHeaders are the ACL settings of a request: a canned ACL, x-amz-grant-*
// headers, or (for Put*Acl) an AccessControlPolicy document.
type aclHeaders struct {
	canned                               string
	full, read, readACP, write, writeACP *string
	policy                               *api.AccessControlPolicy
}

// acl turns a request's ACL settings into an ACL for a resource owned by
// ownerAccount in a bucket of bucketOwner. It returns the zero ACL (private)
// when the request sets none. S3 refuses a canned ACL together with grant
// headers, and either together with a document (Amazon S3 API Reference,
// PutObjectAcl).
func (h aclHeaders) acl(ownerAccount, bucketOwner string) (objectstore.ACL, bool, error) {
	hasGrants := h.full != nil || h.read != nil || h.readACP != nil || h.write != nil || h.writeACP != nil
	if h.canned != "" && hasGrants {
		return objectstore.ACL{}, false, objectstore.ErrInvalidRequest("Specifying both Canned ACLs and Header Grants is not allowed")
	}
	if h.policy != nil && (h.canned != "" || hasGrants) {
		return objectstore.ACL{}, false, objectstore.ErrInvalidRequest("This request does not support content")
	}
	switch {
	case h.canned != "":
		acl, ok := objectstore.CannedACL(h.canned, ownerAccount, bucketOwner)
		if !ok {
			return acl, false, invalidArgument("", "x-amz-acl", h.canned)
		}
		return acl, true, nil
	case hasGrants:
		acl := objectstore.ACL{Owner: objectstore.OwnerOf(ownerAccount)}
		for _, g := range []struct {
			perm string
			h    *string
		}{{objectstore.PermFullControl, h.full}, {objectstore.PermRead, h.read}, {objectstore.PermReadACP, h.readACP},
			{objectstore.PermWrite, h.write}, {objectstore.PermWriteACP, h.writeACP}} {
			if g.h == nil {
				continue
			}
			grants, err := objectstore.ParseGrantHeader(g.perm, *g.h)
			if err != nil {
				return acl, false, err
			}
			acl.Grants = append(acl.Grants, grants...)
		}
		return acl, true, nil
	case h.policy != nil:
		acl := objectstore.ACL{Owner: objectstore.OwnerOf(ownerAccount)}
		if h.policy.Owner == nil || h.policy.Owner.ID == nil {
			return acl, false, objectstore.ErrMalformedACL()
		}
		for _, g := range h.policy.Grants {
			if g.Grantee == nil || g.Permission == nil {
				return acl, false, objectstore.ErrMalformedACL()
			}
			ge := g.Grantee
			typ := ""
			if ge.Type != nil {
				typ = string(*ge.Type)
			}
			acl.Grants = append(acl.Grants, objectstore.Grant{Permission: string(*g.Permission), Grantee: objectstore.Grantee{
				Type: typ, ID: str(ge.ID), URI: str(ge.URI), EmailAddress: str(ge.EmailAddress), DisplayName: str(ge.DisplayName)}})
		}
		return acl, true, objectstore.ValidateACL(acl)
	}
	return objectstore.ACL{}, false, nil
}

// checksumHeaders are the x-amz-checksum-* values of a request or response.
type checksumHeaders struct {
	crc32, crc32c, crc64nvme, sha1, sha256, sha512, md5, xxhash64, xxhash3, xxhash128 *string
}

// upload resolves an upload's checksum: the algorithm named by
// x-amz-sdk-checksum-algorithm (or x-amz-checksum-algorithm), the value of
// the one x-amz-checksum-* header sent, and, for aws-chunked bodies, the
// trailer carrying it. S3 takes one checksum per request.
func (c checksumHeaders) upload(alg *api.ChecksumAlgorithm, contentMD5 *string, body any) (objectstore.UploadChecksum, error) {
	out := objectstore.UploadChecksum{ContentMD5: str(contentMD5)}
	var found []string
	for _, h := range []struct {
		alg string
		v   *string
	}{{objectstore.CRC32, c.crc32}, {objectstore.CRC32C, c.crc32c}, {objectstore.CRC64NVME, c.crc64nvme},
		{objectstore.SHA1, c.sha1}, {objectstore.SHA256, c.sha256}, {"SHA512", c.sha512}, {"MD5", c.md5},
		{"XXHASH64", c.xxhash64}, {"XXHASH3", c.xxhash3}, {"XXHASH128", c.xxhash128}} {
		if h.v != nil {
			found = append(found, h.alg)
			out.Algorithm, out.Value = h.alg, *h.v
		}
	}
	if len(found) > 1 {
		return out, objectstore.ErrInvalidRequest("Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.")
	}
	if alg != nil {
		a := string(*alg)
		if out.Algorithm != "" && out.Algorithm != a {
			return out, objectstore.ErrInvalidRequest("Value for x-amz-sdk-checksum-algorithm header is invalid.")
		}
		out.Algorithm = a
	}
	if out.Algorithm != "" && !objectstore.SupportedChecksum(out.Algorithm) {
		return out, objectstore.ErrUnsupportedChecksum(out.Algorithm)
	}
	if cr, ok := body.(*sigv4.ChunkedReader); ok && out.Value == "" && out.Algorithm != "" {
		name := "X-Amz-Checksum-" + strings.ToLower(out.Algorithm)
		out.Trailing = func() string { return cr.Trailers().Get(name) }
	}
	return out, nil
}

// bodySize is the number of bytes an upload body delivers, or -1: an
// aws-chunked body's Content-Length counts its framing, and the decoder
// itself checks x-amz-decoded-content-length.
func bodySize(body any, contentLength *int64) int64 {
	if _, ok := body.(*sigv4.ChunkedReader); ok || contentLength == nil {
		return -1
	}
	return *contentLength
}

// checksumOut renders a stored checksum into response fields.
func checksumOut(c objectstore.Checksum) (h checksumHeaders, typ *api.ChecksumType) {
	if c.Algorithm == "" || c.Value == "" {
		return h, nil
	}
	v := ptr(c.Value)
	switch c.Algorithm {
	case objectstore.CRC32:
		h.crc32 = v
	case objectstore.CRC32C:
		h.crc32c = v
	case objectstore.CRC64NVME:
		h.crc64nvme = v
	case objectstore.SHA1:
		h.sha1 = v
	case objectstore.SHA256:
		h.sha256 = v
	}
	if c.Type != "" {
		typ = ptr(api.ChecksumType(c.Type))
	}
	return h, typ
}

// checksumAlgorithms is the ChecksumAlgorithm list of a listing entry.
func checksumAlgorithms(c objectstore.Checksum) []api.ChecksumAlgorithm {
	if c.Algorithm == "" {
		return nil
	}
	return []api.ChecksumAlgorithm{api.ChecksumAlgorithm(c.Algorithm)}
}

// metadataIn gathers the content headers and user metadata of a request.
func metadataIn(contentType, encoding, disposition, language, cacheControl, expires, redirect *string, user map[string]string) objectstore.Metadata {
	m := objectstore.Metadata{ContentType: str(contentType), ContentEncoding: stripAWSChunked(str(encoding)),
		ContentDisposition: str(disposition), ContentLanguage: str(language), CacheControl: str(cacheControl),
		Expires: str(expires), WebsiteRedirectLocation: str(redirect)}
	if len(user) > 0 {
		m.User = user
	}
	return m
}

// stripAWSChunked removes the aws-chunked coding, which describes the
// request's framing and is not stored (Amazon S3 API Reference, "Transferring
// payload in multiple chunks").
func stripAWSChunked(enc string) string {
	if enc == "" {
		return ""
	}
	var keep []string
	for e := range strings.SplitSeq(enc, ",") {
		if e = strings.TrimSpace(e); e != "" && !strings.EqualFold(e, "aws-chunked") {
			keep = append(keep, e)
		}
	}
	return strings.Join(keep, ",")
}

// escapePath escapes a key for a URL path, keeping its slashes.
func escapePath(key string) string {
	parts := strings.Split(key, "/")
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	return strings.Join(parts, "/")
}

// encoder applies a listing's encoding-type: with "url", keys, prefixes and
// markers are URL-encoded (Amazon S3 API Reference, ListObjectsV2:
// EncodingType), which lets XML carry keys with characters it cannot hold.
type encoder bool

func (e encoder) s(v string) *string {
	if !e {
		return ptr(v)
	}
	return ptr(strings.ReplaceAll(url.QueryEscape(v), "%2F", "/"))
}

func (e encoder) opt(v string) *string {
	if v == "" {
		return nil
	}
	return e.s(v)
}

func encodingOf(t *api.EncodingType) encoder { return t != nil && *t == api.EncodingTypeUrl }
