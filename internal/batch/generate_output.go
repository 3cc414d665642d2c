package batch

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/md5"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"hash"
	"io"
	"os"
	"strconv"
	"strings"

	api "github.com/jobplane/jobplane/internal/api/s3control"
	"github.com/jobplane/jobplane/internal/batch/manifest"
	"github.com/jobplane/jobplane/internal/batch/report"
	"github.com/jobplane/jobplane/internal/objectstore"
)

// manifestOutput writes the generated manifest to the job's
// ManifestOutputLocation in the S3InventoryReport_CSV_20211130 format: a
// gzipped CSV data file and a manifest.json naming it (with its
// manifest.checksum), as S3 Inventory writes them (spec §7.1, §7.3). [I]
// The objects go under {ManifestPrefix}/job-{JobId}/manifest/, away from
// the completion report's {Prefix}/job-{JobId}/manifest.json in case both
// share a bucket and prefix.
type manifestOutput struct {
	e      *Engine
	j      *jobSpec
	bucket string
	base   string // the folder of the objects: {ManifestPrefix}/job-{JobId}/manifest
	source string
	enc    objectstore.Encryption
	tmp    *os.File
	sum    hash.Hash // MD5 of the data file, as it is written
	gz     *gzip.Writer
	w      *bufio.Writer
}

// GeneratedFileSchema is the fileSchema of generated manifests.
const GeneratedFileSchema = "Bucket, Key, VersionId"

func (e *Engine) newManifestOutput(ctx context.Context, j *jobSpec, source string) (*manifestOutput, *api.JobFailure, error) {
	loc := deref(j.gen.ManifestOutputLocation)
	bucket, ok := bucketOfARN(deref(loc.Bucket))
	if !ok {
		f := jobFailure(FailManifestOutput, "ManifestOutputLocation Bucket %q is not a bucket ARN.", deref(loc.Bucket))
		return nil, &f, nil
	}
	owner := deref(loc.ExpectedManifestBucketOwner)
	_, owned, err := e.ownedBucket(ctx, bucket, owner)
	if err != nil {
		f, err := decide(err, FailManifestOutput, "The manifest output bucket %s cannot be used", bucket)
		return nil, f, err
	}
	if !owned {
		f := jobFailure(FailManifestOutput, "The manifest output bucket %s is not owned by the expected bucket owner %s.", bucket, owner)
		return nil, &f, nil
	}
	out := &manifestOutput{e: e, j: j, bucket: bucket, base: report.JobPrefix(deref(loc.ManifestPrefix), j.key.id) + "/manifest",
		source: source, enc: objectstore.Encryption{Algorithm: objectstore.SSES3}, sum: md5.New()}
	if kms := deref(loc.ManifestEncryption).SSEKMS; kms != nil {
		out.enc = objectstore.Encryption{Algorithm: objectstore.SSEKMS, KMSKeyID: deref(kms.KeyId)}
	}
	if err := os.MkdirAll(e.jobDir(j.key), 0o755); err != nil {
		return nil, nil, err
	}
	if out.tmp, err = os.CreateTemp(e.jobDir(j.key), j.key.id+".output.*"); err != nil {
		return nil, nil, err
	}
	out.gz = gzip.NewWriter(io.MultiWriter(out.tmp, out.sum))
	out.w = bufio.NewWriterSize(out.gz, 256<<10)
	return out, nil, nil
}

// add writes one object, each field quoted as S3 Inventory writes them.
func (o *manifestOutput) add(bucket, key, version string) error {
	for i, f := range []string{bucket, key, version} {
		if i > 0 {
			o.w.WriteByte(',')
		}
		o.w.WriteByte('"')
		o.w.WriteString(strings.ReplaceAll(f, `"`, `""`))
		o.w.WriteByte('"')
	}
	_, err := o.w.WriteString("\n")
	return err
}

// finish uploads the data file and the manifest and returns the
// descriptor DescribeJob shows.
func (o *manifestOutput) finish(ctx context.Context, total int64) (*api.S3GeneratedManifestDescriptor, error) {
	if err := o.w.Flush(); err != nil {
		return nil, err
	}
	if err := o.gz.Close(); err != nil {
		return nil, err
	}
	size, err := o.tmp.Seek(0, io.SeekCurrent)
	if err != nil {
		return nil, err
	}
	name := sha1.Sum([]byte(o.j.key.id))
	dataKey := o.base + "/data/" + hex.EncodeToString(name[:]) + ".csv.gz"
	if _, err := o.put(ctx, dataKey, io.NewSectionReader(o.tmp, 0, size), size, "application/x-gzip"); err != nil {
		return nil, err
	}
	doc, _ := json.Marshal(manifest.Inventory{SourceBucket: o.source, DestinationBucket: bucketARN(o.bucket), Version: "2021-11-30",
		CreationTimestamp: strconv.FormatInt(o.e.clock.Now().UnixMilli(), 10), FileFormat: "CSV", FileSchema: GeneratedFileSchema,
		Files: []manifest.InventoryFile{{Key: dataKey, Size: size, MD5Checksum: hex.EncodeToString(o.sum.Sum(nil))}}})
	manifestKey := o.base + "/manifest.json"
	info, err := o.put(ctx, manifestKey, bytes.NewReader(doc), int64(len(doc)), "application/json")
	if err != nil {
		return nil, err
	}
	sum := md5.Sum(doc)
	check := hex.EncodeToString(sum[:])
	if _, err := o.put(ctx, o.base+"/manifest.checksum", strings.NewReader(check), int64(len(check)), "text/plain"); err != nil {
		return nil, err
	}
	loc := &api.JobManifestLocation{ObjectArn: ptr(bucketARN(o.bucket) + "/" + manifestKey), ETag: ptr(trimETag(info.ETag))}
	if info.VersionID != "" {
		loc.ObjectVersionId = ptr(info.VersionID)
	}
	return &api.S3GeneratedManifestDescriptor{Format: ptr(api.GeneratedManifestFormatS3InventoryReportCSV20211130), Location: loc}, nil
}

// put stores one object of the generated manifest, of size bytes read
// from body.
func (o *manifestOutput) put(ctx context.Context, key string, body io.Reader, size int64, contentType string) (objectstore.ObjectInfo, error) {
	return o.e.objects.PutObject(ctx, objectstore.PutObjectInput{Bucket: o.bucket, Key: key, Owner: o.j.key.account,
		Body: body, Size: size, Metadata: objectstore.Metadata{ContentType: contentType}, Encryption: o.enc})
}

// discard removes the temporary data file.
func (o *manifestOutput) discard() {
	o.tmp.Close()
	os.Remove(o.tmp.Name())
}
