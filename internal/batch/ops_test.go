package batch

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	api "github.com/jobplane/jobplane/internal/api/s3control"
	"github.com/jobplane/jobplane/internal/batch/lambda"
	"github.com/jobplane/jobplane/internal/batch/xxhash"
	"github.com/jobplane/jobplane/internal/objectstore"
)

// opCase is an operation exercised end to end: objects set up, a job run
// over them, its effects and report checked. remote says why a case cannot
// run against a remote endpoint (moto_server), "" when it can.
type opCase struct {
	name   string
	remote string
	opts   []harnessOption
	run    func(t *testing.T, h *harness)
}

// runOp runs a job of op over rows and returns its descriptor and report.
func (h *harness) runOp(op *api.JobOperation, rows []string) (*api.JobDescriptor, *jobReport) {
	h.t.Helper()
	if h.manifests == "" {
		h.manifests = h.bucket("man")
	}
	h.seq++
	id, d := h.run(h.job(op, h.csvManifest(h.manifests, fmt.Sprintf("manifest-%d.csv", h.seq), rows)))
	if *d.Status != api.JobStatusComplete {
		h.t.Fatalf("job %s ended %s %s", id, *d.Status, failures(d))
	}
	return d, h.report(id)
}

// row finds the report row of a key.
func (r *jobReport) row(t *testing.T, key string) []string {
	t.Helper()
	for _, rows := range r.rows {
		for _, row := range rows {
			if row[1] == key {
				return row
			}
		}
	}
	t.Fatalf("no report row for %q in %v", key, r.rows)
	return nil
}

func wantRow(t *testing.T, row []string, status, http, code string) {
	t.Helper()
	if row[3] != status || row[4] != http || row[5] != code {
		t.Fatalf("report row %q: want %s,%s,%s", row, status, http, code)
	}
}

func tag(k, v string) api.S3Tag { return api.S3Tag{Key: ptr(k), Value: ptr(v)} }

var opCases = []opCase{
	{name: "S3PutObjectTagging replaces the whole tag set", run: func(t *testing.T, h *harness) {
		b := h.bucket("tags")
		h.putWith(objectstore.PutObjectInput{Bucket: b, Key: "a", Body: strings.NewReader("x"), Size: 1, Tags: []objectstore.Tag{{Key: "old", Value: "1"}}})
		_, r := h.runOp(&api.JobOperation{S3PutObjectTagging: &api.S3SetObjectTaggingOperation{TagSet: []api.S3Tag{tag("k1", "v1"), tag("k2", "v2")}}},
			[]string{b + ",a", b + ",nope"})
		if got := h.head(b, "a", "").Tags; !slices.Equal(got, []objectstore.Tag{{Key: "k1", Value: "v1"}, {Key: "k2", Value: "v2"}}) {
			t.Fatalf("tags %v", got)
		}
		wantRow(t, r.row(t, "a"), "succeeded", "200", "")
		wantRow(t, r.row(t, "nope"), "failed", "404", "NoSuchKey")
	}},
	{name: "S3DeleteObjectTagging removes the tag set", run: func(t *testing.T, h *harness) {
		b := h.bucket("deltags")
		h.putWith(objectstore.PutObjectInput{Bucket: b, Key: "a", Body: strings.NewReader("x"), Size: 1, Tags: []objectstore.Tag{{Key: "old", Value: "1"}}})
		h.runOp(&api.JobOperation{S3DeleteObjectTagging: &api.S3DeleteObjectTaggingOperation{}}, []string{b + ",a"})
		if got := h.head(b, "a", "").Tags; len(got) != 0 {
			t.Fatalf("tags %v", got)
		}
	}},
	{name: "S3PutObjectAcl applies a canned ACL", run: func(t *testing.T, h *harness) {
		b := h.bucket("acl")
		h.put(b, "a", "x")
		h.runOp(&api.JobOperation{S3PutObjectAcl: &api.S3SetObjectAclOperation{AccessControlPolicy: &api.S3AccessControlPolicy{
			CannedAccessControlList: ptr(api.S3CannedAccessControlListPublicRead)}}}, []string{b + ",a"})
		acl := h.head(b, "a", "").ACL
		if !slices.ContainsFunc(acl.Grants, func(g objectstore.Grant) bool {
			return g.Grantee.URI == objectstore.AllUsers && g.Permission == objectstore.PermRead
		}) {
			t.Fatalf("grants %+v", acl.Grants)
		}
	}},
	{name: "S3PutObjectAcl applies an explicit grant list", remote: "moto ignores the grants of an AccessControlPolicy document", run: func(t *testing.T, h *harness) {
		b := h.bucket("aclx")
		h.put(b, "a", "x")
		owner := h.head(b, "a", "").ACL.Owner.ID
		h.runOp(&api.JobOperation{S3PutObjectAcl: &api.S3SetObjectAclOperation{AccessControlPolicy: &api.S3AccessControlPolicy{
			AccessControlList: &api.S3AccessControlList{Owner: &api.S3ObjectOwner{ID: ptr(owner)}, Grants: []api.S3Grant{
				{Grantee: &api.S3Grantee{TypeIdentifier: ptr(api.S3GranteeTypeIdentifierId), Identifier: ptr(owner)}, Permission: ptr(api.S3PermissionFULLCONTROL)},
				{Grantee: &api.S3Grantee{TypeIdentifier: ptr(api.S3GranteeTypeIdentifierUri), Identifier: ptr(objectstore.AuthenticatedUsers)}, Permission: ptr(api.S3PermissionREADACP)},
			}}}}}, []string{b + ",a"})
		acl := h.head(b, "a", "").ACL
		if !slices.ContainsFunc(acl.Grants, func(g objectstore.Grant) bool {
			return g.Grantee.URI == objectstore.AuthenticatedUsers && g.Permission == objectstore.PermReadACP
		}) {
			t.Fatalf("grants %+v", acl.Grants)
		}
	}},
	{name: "S3InitiateRestoreObject starts restores and refuses objects that are not archived", run: func(t *testing.T, h *harness) {
		b := h.bucket("restore")
		h.putWith(objectstore.PutObjectInput{Bucket: b, Key: "cold", Body: strings.NewReader("x"), Size: 1, StorageClass: "GLACIER"})
		h.put(b, "warm", "x")
		_, r := h.runOp(&api.JobOperation{S3InitiateRestoreObject: &api.S3InitiateRestoreObjectOperation{
			ExpirationInDays: ptr(int32(3)), GlacierJobTier: ptr(api.S3GlacierJobTierBULK)}}, []string{b + ",cold", b + ",warm"})
		wantRow(t, r.row(t, "cold"), "succeeded", "200", "")
		if r.row(t, "cold")[6] != "Successful" {
			t.Fatalf("message %q", r.row(t, "cold")[6])
		}
		wantRow(t, r.row(t, "warm"), "failed", "403", "InvalidObjectState")
		if rs := h.head(b, "cold", "").Restore; rs == nil {
			t.Fatal("no restore started")
		}
	}},
	{name: "S3InitiateRestoreObject without ExpirationInDays fails GLACIER objects", run: func(t *testing.T, h *harness) {
		b := h.bucket("restore0")
		h.putWith(objectstore.PutObjectInput{Bucket: b, Key: "cold", Body: strings.NewReader("x"), Size: 1, StorageClass: "GLACIER"})
		_, r := h.runOp(&api.JobOperation{S3InitiateRestoreObject: &api.S3InitiateRestoreObjectOperation{GlacierJobTier: ptr(api.S3GlacierJobTierSTANDARD)}},
			[]string{b + ",cold"})
		if row := r.row(t, "cold"); row[3] != "failed" || row[4] != "400" {
			t.Fatalf("row %q", row)
		}
	}},
	{name: "S3PutObjectLegalHold sets the hold on a bucket with Object Lock", run: func(t *testing.T, h *harness) {
		b := h.bucketWith(objectstore.CreateBucketInput{Bucket: "hold", ObjectLockEnabled: true})
		v := h.put(b, "a", "x")
		_, r := h.runOp(&api.JobOperation{S3PutObjectLegalHold: &api.S3SetObjectLegalHoldOperation{
			LegalHold: &api.S3ObjectLockLegalHold{Status: ptr(api.S3ObjectLockLegalHoldStatusON)}}}, []string{b + ",a," + v.VersionID})
		wantRow(t, r.row(t, "a"), "succeeded", "200", "")
		if !h.head(b, "a", v.VersionID).LegalHold {
			t.Fatal("no legal hold")
		}
		// Remove it again so that the bucket can be cleaned up.
		h.runOp(&api.JobOperation{S3PutObjectLegalHold: &api.S3SetObjectLegalHoldOperation{
			LegalHold: &api.S3ObjectLockLegalHold{Status: ptr(api.S3ObjectLockLegalHoldStatusOFF)}}}, []string{b + ",a," + v.VersionID})
		if h.head(b, "a", v.VersionID).LegalHold {
			t.Fatal("legal hold not removed")
		}
	}},
	{name: "S3PutObjectRetention sets retention and needs BypassGovernanceRetention to shorten it", run: func(t *testing.T, h *harness) {
		b := h.bucketWith(objectstore.CreateBucketInput{Bucket: "retain", ObjectLockEnabled: true})
		v := h.put(b, "a", "x")
		rows := []string{b + ",a," + v.VersionID}
		far := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Second)
		near := time.Now().Add(24 * time.Hour).UTC().Truncate(time.Second)
		retain := func(until time.Time, bypass bool) *api.JobOperation {
			return &api.JobOperation{S3PutObjectRetention: &api.S3SetObjectRetentionOperation{BypassGovernanceRetention: ptr(bypass),
				Retention: &api.S3Retention{Mode: ptr(api.S3ObjectLockRetentionModeGOVERNANCE), RetainUntilDate: ptr(until)}}}
		}
		h.runOp(retain(far, false), rows)
		if got := h.head(b, "a", v.VersionID).Retention; got.Mode != objectstore.LockGovernance || !got.RetainUntil.Equal(far) {
			t.Fatalf("retention %+v", got)
		}
		if h.remote == nil { // moto does not enforce GOVERNANCE retention
			_, r := h.runOp(retain(near, false), rows)
			wantRow(t, r.row(t, "a"), "failed", "403", "AccessDenied")
		}
		_, r := h.runOp(retain(near, true), rows)
		wantRow(t, r.row(t, "a"), "succeeded", "200", "")
		if got := h.head(b, "a", v.VersionID).Retention; !got.RetainUntil.Equal(near) {
			t.Fatalf("retention %+v", got)
		}
	}},
	{name: "S3PutObjectCopy copies under TargetKeyPrefix/ with replaced metadata and tags", run: func(t *testing.T, h *harness) {
		src, dst := h.bucket("src"), h.bucket("dst")
		h.putWith(objectstore.PutObjectInput{Bucket: src, Key: "Folder1/obj.txt", Body: strings.NewReader("hello"), Size: 5,
			Metadata: objectstore.Metadata{ContentType: "text/plain"}, Tags: []objectstore.Tag{{Key: "t", Value: "1"}}})
		_, r := h.runOp(&api.JobOperation{S3PutObjectCopy: &api.S3CopyObjectOperation{
			TargetResource: ptr("arn:aws:s3:::" + dst), TargetKeyPrefix: ptr("Folder2"),
			MetadataDirective: ptr(api.S3MetadataDirectiveREPLACE),
			NewObjectMetadata: &api.S3ObjectMetadata{ContentType: ptr("application/x-copied"), UserMetadata: map[string]string{"Who": "batch"}},
			NewObjectTagging:  []api.S3Tag{tag("copied", "yes")},
			StorageClass:      ptr(api.S3StorageClassSTANDARDIA),
		}}, []string{src + "," + url.QueryEscape("Folder1/obj.txt")})
		wantRow(t, r.row(t, url.QueryEscape("Folder1/obj.txt")), "succeeded", "200", "")
		if got := h.read(dst, "Folder2/Folder1/obj.txt"); got != "hello" {
			t.Fatalf("copy reads %q", got)
		}
		oi := h.head(dst, "Folder2/Folder1/obj.txt", "")
		if oi.Metadata.ContentType != "application/x-copied" || oi.Metadata.User["who"] != "batch" || oi.StorageClass != "STANDARD_IA" {
			t.Fatalf("copy metadata %+v, class %s", oi.Metadata, oi.StorageClass)
		}
		if !slices.Equal(oi.Tags, []objectstore.Tag{{Key: "copied", Value: "yes"}}) {
			t.Fatalf("copy tags %v", oi.Tags)
		}
	}},
	{name: "S3PutObjectCopy keeps the source's metadata and tags with COPY", run: func(t *testing.T, h *harness) {
		src, dst := h.bucket("src2"), h.bucket("dst2")
		h.putWith(objectstore.PutObjectInput{Bucket: src, Key: "k", Body: strings.NewReader("data"), Size: 4,
			Metadata: objectstore.Metadata{ContentType: "text/x-kept"}, Tags: []objectstore.Tag{{Key: "t", Value: "1"}}})
		h.runOp(&api.JobOperation{S3PutObjectCopy: &api.S3CopyObjectOperation{TargetResource: ptr("arn:aws:s3:::" + dst)}}, []string{src + ",k"})
		oi := h.head(dst, "k", "")
		if oi.Metadata.ContentType != "text/x-kept" || !slices.Equal(oi.Tags, []objectstore.Tag{{Key: "t", Value: "1"}}) {
			t.Fatalf("copy %+v tags %v", oi.Metadata, oi.Tags)
		}
	}},
	{name: "S3ReplicateObject replicates per the source bucket's replication configuration",
		remote: "moto does not run replication or record replication status",
		run: func(t *testing.T, h *harness) {
			src := h.bucket("repsrc")
			dst := h.bucket("repdst")
			h.replicate(src, dst, "in/")
			in := h.putWith(objectstore.PutObjectInput{Bucket: src, Key: "in/a", Body: strings.NewReader("payload"), Size: 7, Tags: []objectstore.Tag{{Key: "t", Value: "v"}}})
			out := h.put(src, "out/b", "x")
			_, r := h.runOp(&api.JobOperation{S3ReplicateObject: &api.S3ReplicateObjectOperation{}},
				[]string{src + "," + url.QueryEscape("in/a") + "," + in.VersionID, src + "," + url.QueryEscape("out/b") + "," + out.VersionID})
			wantRow(t, r.row(t, url.QueryEscape("in/a")), "succeeded", "200", "")
			wantRow(t, r.row(t, url.QueryEscape("out/b")), "failed", "500", "SrcObjectNotEligible")
			if got := h.read(dst, "in/a"); got != "payload" {
				t.Fatalf("replica reads %q", got)
			}
			if rs := h.head(dst, "in/a", "").ReplicationStatus; rs != "REPLICA" {
				t.Fatalf("replica status %q", rs)
			}
			if rs := h.head(src, "in/a", in.VersionID).ReplicationStatus; rs != "COMPLETED" {
				t.Fatalf("source status %q", rs)
			}
			if tags := h.head(dst, "in/a", "").Tags; !slices.Equal(tags, []objectstore.Tag{{Key: "t", Value: "v"}}) {
				t.Fatalf("replica tags %v", tags)
			}
		}},
	{name: "S3ComputeObjectChecksum reports each algorithm's checksum as JSON", run: func(t *testing.T, h *harness) {
		b := h.bucket("sums")
		body := "the quick brown fox"
		oi := h.put(b, "f", body)
		crc := crc32.ChecksumIEEE([]byte(body))
		sha := sha256.Sum256([]byte(body))
		x := xxhash.New64()
		x.Write([]byte(body))
		for _, tc := range []struct {
			alg  api.ComputeObjectChecksumAlgorithm
			want []byte
		}{
			{api.ComputeObjectChecksumAlgorithmCRC32, []byte{byte(crc >> 24), byte(crc >> 16), byte(crc >> 8), byte(crc)}},
			{api.ComputeObjectChecksumAlgorithmSHA256, sha[:]},
			{api.ComputeObjectChecksumAlgorithmXXHASH64, x.Sum(nil)},
		} {
			_, r := h.runOp(&api.JobOperation{S3ComputeObjectChecksum: &api.S3ComputeObjectChecksumOperation{
				ChecksumAlgorithm: ptr(tc.alg), ChecksumType: ptr(api.ComputeObjectChecksumTypeFULLOBJECT)}}, []string{b + ",f", b + ",gone"})
			row := r.row(t, "f")
			wantRow(t, row, "succeeded", "200", "")
			var doc map[string]string
			if err := json.Unmarshal([]byte(row[6]), &doc); err != nil {
				t.Fatalf("%s: message %q: %v", tc.alg, row[6], err)
			}
			if doc["checksum_base64"] != base64.StdEncoding.EncodeToString(tc.want) || doc["checksum_hex"] != hex.EncodeToString(tc.want) ||
				doc["checksumAlgorithm"] != string(tc.alg) || doc["checksumType"] != "FULL_OBJECT" || doc["etag"] != trimETag(oi.ETag) {
				t.Fatalf("%s: result %v", tc.alg, doc)
			}
			if !strings.HasPrefix(row[6], `{"checksum_base64":`) {
				t.Fatalf("members out of the documented order: %s", row[6])
			}
			gone := r.row(t, "gone")
			wantRow(t, gone, "failed", "404", "NoSuchKey")
			if !strings.HasPrefix(gone[6], `error details: {"failureMessage":`) || !strings.Contains(gone[6], `"errorCode":"404"`) {
				t.Fatalf("failure message %q", gone[6])
			}
		}
	}},
	{name: "S3ComputeObjectChecksum reads archived objects as stored, without a restore",
		remote: "a remote endpoint serves an archived object's data only once it is restored",
		run: func(t *testing.T, h *harness) {
			b := h.bucket("coldsums")
			body := "frozen"
			h.putWith(objectstore.PutObjectInput{Bucket: b, Key: "cold", Body: strings.NewReader(body), Size: int64(len(body)), StorageClass: "DEEP_ARCHIVE"})
			if _, err := h.objects.GetObject(context.Background(), objectstore.GetObjectInput{Bucket: b, Key: "cold"}); objectstore.Code(err) != "InvalidObjectState" {
				t.Fatalf("GetObject of the archived object: %v", err)
			}
			_, r := h.runOp(&api.JobOperation{S3ComputeObjectChecksum: &api.S3ComputeObjectChecksumOperation{
				ChecksumAlgorithm: ptr(api.ComputeObjectChecksumAlgorithmCRC32), ChecksumType: ptr(api.ComputeObjectChecksumTypeFULLOBJECT)}}, []string{b + ",cold"})
			row := r.row(t, "cold")
			wantRow(t, row, "succeeded", "200", "")
			crc := crc32.ChecksumIEEE([]byte(body))
			if want := hex.EncodeToString([]byte{byte(crc >> 24), byte(crc >> 16), byte(crc >> 8), byte(crc)}); !strings.Contains(row[6], `"checksum_hex":"`+want+`"`) {
				t.Fatalf("result %s, want CRC32 %s", row[6], want)
			}
			if rs := h.head(b, "cold", "").Restore; rs != nil {
				t.Fatalf("the checksum started a restore: %+v", rs)
			}
		}},
	{name: "LambdaInvoke invokes the function once per task with the manifest's key",
		opts: []harnessOption{withOptions(func(o *Options) {
			o.Lambda = stubInvoker(func(payload []byte) ([]byte, string, error) {
				inv, err := lambda.ParseRequest(payload)
				if err != nil {
					return nil, "", err
				}
				return lambda.Response(inv, lambda.Succeeded, "saw "+inv.Tasks[0].S3Key), "", nil
			})
		})},
		run: func(t *testing.T, h *harness) {
			b := h.bucket("lambda")
			_, r := h.runOp(lambdaJob("2.0", map[string]string{"a": "b"}), []string{b + ",a%2Fb", b + ",c+d"})
			if row := r.row(t, "a%2Fb"); row[3] != "succeeded" || row[6] != "saw a%2Fb" {
				t.Fatalf("row %q", row)
			}
			if row := r.row(t, "c+d"); row[6] != "saw c+d" {
				t.Fatalf("row %q", row)
			}
		}},
	{name: "S3UpdateObjectEncryption moves SSE-S3 objects to SSE-KMS and refuses DSSE-KMS ones",
		remote: "moto does not implement UpdateObjectEncryption",
		run: func(t *testing.T, h *harness) {
			b := h.bucket("enc")
			h.putWith(objectstore.PutObjectInput{Bucket: b, Key: "s3", Body: strings.NewReader("x"), Size: 1, Encryption: objectstore.Encryption{Algorithm: objectstore.SSES3}})
			h.putWith(objectstore.PutObjectInput{Bucket: b, Key: "plain", Body: strings.NewReader("x"), Size: 1, Encryption: objectstore.Encryption{Algorithm: objectstore.SSEKMSDSS}})
			key := "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
			_, r := h.runOp(&api.JobOperation{S3UpdateObjectEncryption: &api.S3UpdateObjectEncryptionOperation{ObjectEncryption: &api.ObjectEncryption{
				SSEKMS: &api.S3UpdateObjectEncryptionSSEKMS{KMSKeyArn: ptr(key), BucketKeyEnabled: ptr(true)}}}}, []string{b + ",s3", b + ",plain"})
			wantRow(t, r.row(t, "s3"), "succeeded", "200", "")
			wantRow(t, r.row(t, "plain"), "failed", "400", "InvalidRequest")
			if enc := h.head(b, "s3", "").Encryption; enc.Algorithm != objectstore.SSEKMS || enc.KMSKeyID != key || !enc.BucketKeyEnabled {
				t.Fatalf("encryption %+v", enc)
			}
		}},
}

func TestOperationsOnTheEmbeddedStore(t *testing.T) {
	t.Parallel()
	for _, tc := range opCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.run(t, newHarness(t, tc.opts...))
		})
	}
}
