package s3

import (
	"context"

	api "github.com/jobplane/jobplane/internal/api/s3"
	"github.com/jobplane/jobplane/internal/objectstore"
)

// pageSize applies S3's rules for the size of a listing's page (max-keys,
// max-parts, max-uploads): 1,000 by default and at most. A negative value
// is InvalidArgument with msg, naming param.
func pageSize(v *int32, param, msg string) (int, error) {
	n := intVal(v, 1000)
	if n < 0 {
		return 0, invalidArgument(msg, param, "")
	}
	return min(n, 1000), nil
}

// maxKeys is pageSize for the object listings' max-keys.
func maxKeys(v *int32) (int, error) {
	return pageSize(v, "max-keys", "maxKeys should be non-negative")
}

func prefixesOut(cps []string, enc encoder) []api.CommonPrefix {
	if len(cps) == 0 {
		return nil
	}
	out := make([]api.CommonPrefix, len(cps))
	for i, cp := range cps {
		out[i] = api.CommonPrefix{Prefix: enc.s(cp)}
	}
	return out
}

func (p *Provider) objectOut(o objectstore.ObjectInfo, enc encoder, withOwner, restore bool) api.Object {
	out := api.Object{Key: enc.s(o.Key), LastModified: ptr(o.LastModified), ETag: ptr(o.ETag), Size: ptr(o.Size),
		StorageClass: ptr(api.ObjectStorageClass(o.StorageClass)), ChecksumAlgorithm: checksumAlgorithms(o.Checksum)}
	if o.Checksum.Type != "" {
		out.ChecksumType = ptr(api.ChecksumType(o.Checksum.Type))
	}
	if withOwner {
		out.Owner = owner(o.Owner)
	}
	if restore && o.Restore != nil {
		now := p.clock.Now()
		out.RestoreStatus = &api.RestoreStatus{IsRestoreInProgress: ptr(o.Restore.InProgress(now))}
		if o.Restore.Readable(now) {
			out.RestoreStatus.RestoreExpiryDate = ptr(o.Restore.ExpiresAt)
		}
	}
	return out
}

func wantsRestore(attrs []api.OptionalObjectAttributes) bool {
	for _, a := range attrs {
		if a == api.OptionalObjectAttributesRestoreStatus {
			return true
		}
	}
	return false
}

// ListObjectsV2 implements api.Service. The continuation token seals the
// last key or common prefix of the page, bound to the bucket and listing.
func (p *Provider) ListObjectsV2(ctx context.Context, in *api.ListObjectsV2Request) (*api.ListObjectsV2Output, error) {
	if _, err := p.bucket(ctx, str(in.Bucket), str(in.ExpectedBucketOwner), objectstore.PermRead); err != nil {
		return nil, err
	}
	max, err := maxKeys(in.MaxKeys)
	if err != nil {
		return nil, err
	}
	scope := "ListObjectsV2\x00" + str(in.Bucket) + "\x00" + str(in.Prefix) + "\x00" + str(in.Delimiter)
	start := str(in.StartAfter)
	if in.ContinuationToken != nil {
		c, err := p.keyTokens.Open(scope, *in.ContinuationToken)
		if err != nil {
			return nil, invalidArgument("The continuation token provided is incorrect", "continuation-token", *in.ContinuationToken)
		}
		start = string(c)
	}
	res, err := p.store.ListObjects(ctx, objectstore.ListObjectsInput{Bucket: str(in.Bucket), Prefix: str(in.Prefix),
		Delimiter: str(in.Delimiter), StartAfter: start, MaxKeys: max})
	if err != nil {
		return nil, err
	}
	enc := encodingOf(in.EncodingType)
	out := &api.ListObjectsV2Output{Name: in.Bucket, Prefix: enc.s(str(in.Prefix)), Delimiter: enc.opt(str(in.Delimiter)),
		MaxKeys: ptr(int32(max)), EncodingType: in.EncodingType, KeyCount: ptr(int32(len(res.Objects) + len(res.CommonPrefixes))),
		ContinuationToken: in.ContinuationToken, StartAfter: enc.opt(str(in.StartAfter)), IsTruncated: ptr(res.IsTruncated),
		CommonPrefixes: prefixesOut(res.CommonPrefixes, enc)}
	restore := wantsRestore(in.OptionalObjectAttributes)
	for _, o := range res.Objects {
		out.Contents = append(out.Contents, p.objectOut(o, enc, boolVal(in.FetchOwner), restore))
	}
	if res.IsTruncated {
		out.NextContinuationToken = ptr(p.keyTokens.Seal(scope, []byte(res.Next)))
	}
	return out, nil
}

// ListObjects implements api.Service (version 1: markers are keys).
func (p *Provider) ListObjects(ctx context.Context, in *api.ListObjectsRequest) (*api.ListObjectsOutput, error) {
	if _, err := p.bucket(ctx, str(in.Bucket), str(in.ExpectedBucketOwner), objectstore.PermRead); err != nil {
		return nil, err
	}
	max, err := maxKeys(in.MaxKeys)
	if err != nil {
		return nil, err
	}
	res, err := p.store.ListObjects(ctx, objectstore.ListObjectsInput{Bucket: str(in.Bucket), Prefix: str(in.Prefix),
		Delimiter: str(in.Delimiter), StartAfter: str(in.Marker), MaxKeys: max})
	if err != nil {
		return nil, err
	}
	enc := encodingOf(in.EncodingType)
	out := &api.ListObjectsOutput{Name: in.Bucket, Prefix: enc.s(str(in.Prefix)), Delimiter: enc.opt(str(in.Delimiter)),
		Marker: enc.s(str(in.Marker)), MaxKeys: ptr(int32(max)), EncodingType: in.EncodingType, IsTruncated: ptr(res.IsTruncated),
		CommonPrefixes: prefixesOut(res.CommonPrefixes, enc)}
	restore := wantsRestore(in.OptionalObjectAttributes)
	for _, o := range res.Objects {
		out.Contents = append(out.Contents, p.objectOut(o, enc, true, restore))
	}
	// S3 sends NextMarker only with a delimiter; without one the client
	// continues from the last key (Amazon S3 API Reference, ListObjects).
	if res.IsTruncated && in.Delimiter != nil && *in.Delimiter != "" {
		out.NextMarker = enc.s(res.Next)
	}
	return out, nil
}

// ListObjectVersions implements api.Service.
func (p *Provider) ListObjectVersions(ctx context.Context, in *api.ListObjectVersionsRequest) (*api.ListObjectVersionsOutput, error) {
	if _, err := p.bucket(ctx, str(in.Bucket), str(in.ExpectedBucketOwner), objectstore.PermRead); err != nil {
		return nil, err
	}
	max, err := maxKeys(in.MaxKeys)
	if err != nil {
		return nil, err
	}
	res, err := p.store.ListObjectVersions(ctx, objectstore.ListVersionsInput{Bucket: str(in.Bucket), Prefix: str(in.Prefix),
		Delimiter: str(in.Delimiter), KeyMarker: str(in.KeyMarker), VersionIDMarker: str(in.VersionIdMarker), MaxKeys: max})
	if err != nil {
		return nil, err
	}
	enc := encodingOf(in.EncodingType)
	out := &api.ListObjectVersionsOutput{Name: in.Bucket, Prefix: enc.s(str(in.Prefix)), Delimiter: enc.opt(str(in.Delimiter)),
		KeyMarker: enc.s(str(in.KeyMarker)), VersionIdMarker: ptr(str(in.VersionIdMarker)), MaxKeys: ptr(int32(max)),
		EncodingType: in.EncodingType, IsTruncated: ptr(res.IsTruncated), CommonPrefixes: prefixesOut(res.CommonPrefixes, enc)}
	if res.IsTruncated {
		out.NextKeyMarker = enc.s(res.NextKeyMarker)
		out.NextVersionIdMarker = strPtr(res.NextVersionIDMarker)
	}
	restore := wantsRestore(in.OptionalObjectAttributes)
	for _, v := range res.Versions {
		if v.DeleteMarker {
			out.DeleteMarkers = append(out.DeleteMarkers, api.DeleteMarkerEntry{Owner: owner(v.Owner), Key: enc.s(v.Key),
				VersionId: ptr(v.VersionID), IsLatest: ptr(v.IsLatest), LastModified: ptr(v.LastModified)})
			continue
		}
		o := p.objectOut(v, enc, true, restore)
		out.Versions = append(out.Versions, api.ObjectVersion{ETag: o.ETag, ChecksumAlgorithm: o.ChecksumAlgorithm,
			ChecksumType: o.ChecksumType, Size: o.Size, StorageClass: ptr(api.ObjectVersionStorageClass(v.StorageClass)),
			Key: o.Key, VersionId: ptr(v.VersionID), IsLatest: ptr(v.IsLatest), LastModified: o.LastModified,
			Owner: o.Owner, RestoreStatus: o.RestoreStatus})
	}
	return out, nil
}
