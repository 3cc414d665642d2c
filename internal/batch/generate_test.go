package batch

import (
	"bytes"
	"compress/gzip"
	"crypto/md5"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	api "github.com/jobplane/jobplane/internal/api/s3control"
	"github.com/jobplane/jobplane/internal/objectstore"
)

// generatorJob is a tagging job over what the manifest generator finds in
// source with filter.
func (h *harness) generatorJob(source string, filter *api.JobManifestGeneratorFilter, output string) *api.CreateJobRequest {
	req := h.job(&api.JobOperation{S3PutObjectTagging: &api.S3SetObjectTaggingOperation{TagSet: []api.S3Tag{tag("gen", "1")}}}, nil)
	g := &api.S3JobManifestGenerator{SourceBucket: ptr("arn:aws:s3:::" + source), Filter: filter, EnableManifestOutput: ptr(output != "")}
	if output != "" {
		g.ManifestOutputLocation = &api.S3ManifestOutputLocation{Bucket: ptr("arn:aws:s3:::" + output), ManifestPrefix: ptr("gen"),
			ManifestFormat: ptr(api.GeneratedManifestFormatS3InventoryReportCSV20211130)}
	}
	req.ManifestGenerator = &api.JobManifestGenerator{S3JobManifestGenerator: g}
	return req
}

func TestTheManifestGenerator(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	src := h.bucket("gensrc")
	put := func(key string, size int, class string, enc string) {
		h.putWith(objectstore.PutObjectInput{Bucket: src, Key: key, Body: strings.NewReader(strings.Repeat("x", size)), Size: int64(size),
			StorageClass: class, Encryption: objectstore.Encryption{Algorithm: enc, KMSKeyID: map[bool]string{true: "arn:aws:kms:us-east-1:111122223333:key/k1"}[enc == objectstore.SSEKMS]}})
	}
	put("logs/a.txt", 10, "", objectstore.SSES3)
	put("logs/b.csv", 20, "", objectstore.SSES3)
	put("logs/big.txt", 5000, "", objectstore.SSEKMS)
	put("data/c.txt", 30, "STANDARD_IA", objectstore.SSES3)
	put("data/cold.txt", 30, "GLACIER", objectstore.SSES3)
	put("other/d with space.txt", 40, "", objectstore.SSES3)
	past, future := time.Now().Add(-time.Hour), time.Now().Add(time.Hour)
	for _, tc := range []struct {
		name   string
		filter *api.JobManifestGeneratorFilter
		want   []string
	}{
		{"no filter lists every object", nil,
			[]string{"data/c.txt", "data/cold.txt", "logs/a.txt", "logs/b.csv", "logs/big.txt", "other/d with space.txt"}},
		{"prefixes, suffixes and substrings each match any of theirs",
			&api.JobManifestGeneratorFilter{KeyNameConstraint: &api.KeyNameConstraint{MatchAnyPrefix: []string{"logs/"}, MatchAnySuffix: []string{".txt"}, MatchAnySubstring: []string{"a", "i"}}},
			[]string{"logs/a.txt", "logs/big.txt"}},
		{"sizes bound the objects strictly",
			&api.JobManifestGeneratorFilter{ObjectSizeGreaterThanBytes: ptr(int64(10)), ObjectSizeLessThanBytes: ptr(int64(40))},
			[]string{"data/c.txt", "data/cold.txt", "logs/b.csv"}},
		{"storage classes match any listed",
			&api.JobManifestGeneratorFilter{MatchAnyStorageClass: []api.S3StorageClass{"STANDARD_IA", "GLACIER"}},
			[]string{"data/c.txt", "data/cold.txt"}},
		{"creation dates bound the objects",
			&api.JobManifestGeneratorFilter{CreatedAfter: &past, CreatedBefore: &future, KeyNameConstraint: &api.KeyNameConstraint{MatchAnyPrefix: []string{"other/"}}},
			[]string{"other/d with space.txt"}},
		{"a creation date in the future matches nothing", &api.JobManifestGeneratorFilter{CreatedAfter: &future}, nil},
		{"encryption filters match the object's encryption",
			&api.JobManifestGeneratorFilter{MatchAnyObjectEncryption: []api.ObjectEncryptionFilter{{SSEKMS: &api.SSEKMSFilter{KmsKeyArn: ptr("arn:aws:kms:us-east-1:111122223333:key/k1")}}}},
			[]string{"logs/big.txt"}},
		{"replication status NONE matches objects never replicated",
			&api.JobManifestGeneratorFilter{ObjectReplicationStatuses: []api.ReplicationStatus{"NONE"}, KeyNameConstraint: &api.KeyNameConstraint{MatchAnyPrefix: []string{"data/"}}},
			[]string{"data/c.txt", "data/cold.txt"}},
		{"EligibleForReplication needs a replication configuration", &api.JobManifestGeneratorFilter{EligibleForReplication: ptr(true)}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id, d := h.run(h.generatorJob(src, tc.filter, ""))
			if *d.Status != api.JobStatusComplete {
				t.Fatalf("status %s %s", *d.Status, failures(d))
			}
			total, _, _ := progress(d)
			var got []string
			if total > 0 {
				for _, rows := range h.report(id).rows {
					for _, r := range rows {
						k, _ := url.QueryUnescape(r[1])
						got = append(got, k)
					}
				}
			}
			slices.Sort(got)
			if int(total) != len(tc.want) || !slices.Equal(got, tc.want) {
				t.Fatalf("the job ran over %v (%d tasks), want %v", got, total, tc.want)
			}
		})
	}
}

func TestEnableManifestOutputWritesTheGeneratedManifest(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	src, out := h.bucket("gensrc2"), h.bucket("genout")
	rows := h.objectsN(src, "obj ", 12)
	id, d := h.run(h.generatorJob(src, nil, out))
	if *d.Status != api.JobStatusComplete {
		t.Fatalf("status %s %s", *d.Status, failures(d))
	}
	g := d.GeneratedManifestDescriptor
	if g == nil || deref(g.Format) != api.GeneratedManifestFormatS3InventoryReportCSV20211130 || g.Location == nil {
		t.Fatalf("GeneratedManifestDescriptor %+v", g)
	}
	wantARN := "arn:aws:s3:::" + out + "/gen/job-" + id + "/manifest/manifest.json"
	if deref(g.Location.ObjectArn) != wantARN || deref(g.Location.ETag) != trimETag(h.head(out, "gen/job-"+id+"/manifest/manifest.json", "").ETag) {
		t.Fatalf("location %+v, want %s", g.Location, wantARN)
	}
	var doc struct {
		SourceBucket, FileFormat, FileSchema string
		Files                                []struct {
			Key         string
			Size        int64
			MD5Checksum string `json:"MD5checksum"`
		}
	}
	body := h.read(out, "gen/job-"+id+"/manifest/manifest.json")
	if err := json.Unmarshal([]byte(body), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.SourceBucket != src || doc.FileFormat != "CSV" || doc.FileSchema != GeneratedFileSchema || len(doc.Files) != 1 {
		t.Fatalf("manifest.json %+v", doc)
	}
	if sum := md5.Sum([]byte(body)); h.read(out, "gen/job-"+id+"/manifest/manifest.checksum") != hex.EncodeToString(sum[:]) {
		t.Fatal("manifest.checksum is not the MD5 of manifest.json")
	}
	gz := h.read(out, doc.Files[0].Key)
	if sum := md5.Sum([]byte(gz)); doc.Files[0].Size != int64(len(gz)) || doc.Files[0].MD5Checksum != hex.EncodeToString(sum[:]) {
		t.Fatalf("the data file has %d bytes and MD5 %x; manifest.json lists %+v", len(gz), sum, doc.Files[0])
	}
	zr, err := gzip.NewReader(bytes.NewReader([]byte(gz)))
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(zr)
	recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil || len(recs) != len(rows) {
		t.Fatalf("data file: %d rows, %v", len(recs), err)
	}
	for i, r := range recs {
		if r[0]+","+r[1] != rows[i] {
			t.Fatalf("row %d = %q, want %q", i, r, rows[i])
		}
	}
	exactlyOnce(t, d, h.report(id), keysOf(rows))
}
