package embedded

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/jobplane/jobplane/internal/objectstore"
)

func TestMultipartUploadsAssembleAndChecksumAsS3(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := open(t, "", SyncDefault)
	f.bucket(t, "mpu", false)
	p1 := bytes.Repeat([]byte("1"), objectstore.MinPartSize)
	p2 := bytes.Repeat([]byte("2"), objectstore.MinPartSize+17)
	p3 := []byte("the last part may be small")
	whole := append(append(append([]byte{}, p1...), p2...), p3...)

	for _, tc := range []struct {
		alg, typ string
	}{{"", ""}, {"CRC32", "COMPOSITE"}, {"CRC32", "FULL_OBJECT"}, {"CRC32C", "FULL_OBJECT"}, {"CRC64NVME", ""}, {"SHA256", ""}} {
		t.Run("with checksum "+tc.alg+" "+tc.typ, func(t *testing.T) {
			key := "obj-" + tc.alg + tc.typ
			up, err := f.s.CreateMultipartUpload(ctx, objectstore.CreateMultipartUploadInput{Bucket: "mpu", Key: key,
				ChecksumAlgorithm: tc.alg, ChecksumType: tc.typ, Metadata: objectstore.Metadata{ContentType: "application/zip"}})
			if err != nil {
				t.Fatal(err)
			}
			var parts []objectstore.CompletedPart
			var etags []string
			// Parts arrive out of order; part 2 is uploaded twice.
			for _, n := range []int{2, 1, 3, 2} {
				body := [][]byte{p1, p2, p3}[n-1]
				res, err := f.s.UploadPart(ctx, objectstore.UploadPartInput{Bucket: "mpu", Key: key, UploadID: up.UploadID,
					PartNumber: n, Body: bytes.NewReader(body), Size: int64(len(body))})
				if err != nil {
					t.Fatal(err)
				}
				if tc.alg != "" && res.Part.Checksum.Value == "" {
					t.Fatalf("part %d has no %s checksum", n, tc.alg)
				}
				_ = res
			}
			lp, err := f.s.ListParts(ctx, objectstore.ListPartsInput{Bucket: "mpu", Key: key, UploadID: up.UploadID, MaxParts: 10})
			if err != nil || len(lp.Parts) != 3 {
				t.Fatalf("ListParts = %+v, %v", lp, err)
			}
			for _, p := range lp.Parts {
				parts = append(parts, objectstore.CompletedPart{Number: p.Number, ETag: p.ETag, Checksum: p.Checksum.Value})
				etags = append(etags, p.ETag)
			}
			oi, err := f.s.CompleteMultipartUpload(ctx, objectstore.CompleteMultipartUploadInput{Bucket: "mpu", Key: key,
				UploadID: up.UploadID, Parts: parts, ObjectSize: int64(len(whole))})
			if err != nil {
				t.Fatal(err)
			}
			if oi.ETag != objectstore.MultipartETag(etags) || !strings.HasSuffix(oi.ETag, `-3"`) || oi.Size != int64(len(whole)) {
				t.Fatalf("completed object %+v", oi)
			}
			assertChecksum(t, oi, tc.alg, tc.typ, whole, [][]byte{p1, p2, p3})
			got, _, err := f.get(t, objectstore.GetObjectInput{Bucket: "mpu", Key: key})
			if err != nil || got != string(whole) {
				t.Fatalf("read back %d bytes, %v", len(got), err)
			}
			part2, o, err := f.get(t, objectstore.GetObjectInput{Bucket: "mpu", Key: key, PartNumber: 2})
			if err != nil || part2 != string(p2) || o.Range.First != int64(len(p1)) {
				t.Fatalf("part 2: %d bytes, %+v, %v", len(part2), o, err)
			}
			cross, _, _ := f.get(t, objectstore.GetObjectInput{Bucket: "mpu", Key: key, Range: "bytes=5242870-5242890"})
			if cross != string(whole[5242870:5242891]) {
				t.Fatalf("a range across parts = %q", cross)
			}
		})
	}
}

// assertChecksum checks a multipart object's checksum against one computed
// from its bytes: a composite checksum from the parts' checksums, a
// full-object checksum from the whole.
func assertChecksum(t *testing.T, oi objectstore.ObjectInfo, alg, typ string, whole []byte, parts [][]byte) {
	t.Helper()
	if alg == "" {
		alg, typ = objectstore.CRC64NVME, objectstore.FullObject // S3's default checksum
	}
	if typ == "" {
		typ = objectstore.DefaultChecksumType(alg)
	}
	var want string
	if typ == objectstore.FullObject {
		h := objectstore.NewHash(alg)
		h.Write(whole)
		want = objectstore.EncodeChecksum(h.Sum(nil))
	} else {
		var sums []string
		for _, p := range parts {
			h := objectstore.NewHash(alg)
			h.Write(p)
			sums = append(sums, objectstore.EncodeChecksum(h.Sum(nil)))
		}
		want, _ = objectstore.CompositeChecksum(alg, sums)
	}
	if oi.Checksum.Algorithm != alg || oi.Checksum.Type != typ || oi.Checksum.Value != want {
		t.Fatalf("checksum = %+v, want %s %s %s", oi.Checksum, alg, typ, want)
	}
}

func TestACompletionS3WouldRefuseKeepsTheUpload(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := open(t, "", SyncDefault)
	f.bucket(t, "mpu", false)
	up, err := f.s.CreateMultipartUpload(ctx, objectstore.CreateMultipartUploadInput{Bucket: "mpu", Key: "k"})
	if err != nil {
		t.Fatal(err)
	}
	small := []byte("small")
	var etags [3]string
	for n := 1; n <= 2; n++ {
		res, err := f.s.UploadPart(ctx, objectstore.UploadPartInput{Bucket: "mpu", Key: "k", UploadID: up.UploadID, PartNumber: n,
			Body: bytes.NewReader(small), Size: int64(len(small))})
		if err != nil {
			t.Fatal(err)
		}
		etags[n] = res.Part.ETag
	}
	sum := md5.Sum(small)
	if etags[1] != `"`+hex.EncodeToString(sum[:])+`"` {
		t.Fatalf("part ETag = %s", etags[1])
	}
	complete := func(parts ...objectstore.CompletedPart) error {
		_, err := f.s.CompleteMultipartUpload(ctx, objectstore.CompleteMultipartUploadInput{Bucket: "mpu", Key: "k",
			UploadID: up.UploadID, Parts: parts, ObjectSize: -1})
		return err
	}
	tests := []struct {
		name  string
		parts []objectstore.CompletedPart
		code  string
	}{
		{"no parts is MalformedXML", nil, objectstore.CodeMalformedXML},
		{"parts out of order are InvalidPartOrder", []objectstore.CompletedPart{{Number: 2, ETag: etags[2]}, {Number: 1, ETag: etags[1]}}, objectstore.CodeInvalidPartOrder},
		{"a part never uploaded is InvalidPart", []objectstore.CompletedPart{{Number: 3, ETag: etags[1]}}, objectstore.CodeInvalidPart},
		{"a wrong ETag is InvalidPart", []objectstore.CompletedPart{{Number: 1, ETag: `"00"`}}, objectstore.CodeInvalidPart},
		{"a small part before the last is EntityTooSmall", []objectstore.CompletedPart{{Number: 1, ETag: etags[1]}, {Number: 2, ETag: etags[2]}}, objectstore.CodeEntityTooSmall},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { wantCode(t, complete(tt.parts...), tt.code) })
	}
	t.Run("the upload survived the refusals and completes with one part", func(t *testing.T) {
		if err := complete(objectstore.CompletedPart{Number: 2, ETag: etags[2]}); err != nil {
			t.Fatal(err)
		}
		got, _, _ := f.get(t, objectstore.GetObjectInput{Bucket: "mpu", Key: "k"})
		if got != "small" {
			t.Fatalf("object = %q", got)
		}
		// The part left out of the completion is freed.
		if !eventually(func() bool { return garbageLeft(t, f) == 0 }) {
			t.Fatalf("%d garbage entries after the completion", garbageLeft(t, f))
		}
		wantCode(t, complete(objectstore.CompletedPart{Number: 2, ETag: etags[2]}), objectstore.CodeNoSuchUpload)
	})
	t.Run("part numbers are 1 to 10000", func(t *testing.T) {
		_, err := f.s.UploadPart(ctx, objectstore.UploadPartInput{Bucket: "mpu", Key: "k", UploadID: "x", PartNumber: 10001,
			Body: bytes.NewReader(nil)})
		wantCode(t, err, objectstore.CodeInvalidArgument)
	})
}

func TestUploadPartCopyCopiesARange(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := open(t, "", SyncDefault)
	f.bucket(t, "mpu", false)
	f.put(t, "mpu", "src", "0123456789")
	up, _ := f.s.CreateMultipartUpload(ctx, objectstore.CreateMultipartUploadInput{Bucket: "mpu", Key: "dst"})
	res, err := f.s.UploadPartCopy(ctx, objectstore.UploadPartCopyInput{Bucket: "mpu", Key: "dst", UploadID: up.UploadID, PartNumber: 1,
		Source: objectstore.ObjectRef{Bucket: "mpu", Key: "src"}, SourceRange: "bytes=2-5"})
	if err != nil || res.Part.Size != 4 {
		t.Fatalf("UploadPartCopy = %+v, %v", res, err)
	}
	for _, r := range []string{"bytes=5-20", "bytes=5-", "2-5", "bytes=6-2"} {
		_, err := f.s.UploadPartCopy(ctx, objectstore.UploadPartCopyInput{Bucket: "mpu", Key: "dst", UploadID: up.UploadID, PartNumber: 2,
			Source: objectstore.ObjectRef{Bucket: "mpu", Key: "src"}, SourceRange: r})
		wantCode(t, err, objectstore.CodeInvalidArgument)
	}
	if _, err := f.s.CompleteMultipartUpload(ctx, objectstore.CompleteMultipartUploadInput{Bucket: "mpu", Key: "dst", UploadID: up.UploadID,
		Parts: []objectstore.CompletedPart{{Number: 1, ETag: res.Part.ETag}}, ObjectSize: -1}); err != nil {
		t.Fatal(err)
	}
	if got, _, _ := f.get(t, objectstore.GetObjectInput{Bucket: "mpu", Key: "dst"}); got != "2345" {
		t.Fatalf("copied part = %q", got)
	}
}
