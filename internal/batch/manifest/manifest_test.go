package manifest_test

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/jobplane/jobplane/internal/batch/manifest"
)

func readAll(t *testing.T, r *manifest.CSV) ([]manifest.Entry, error) {
	t.Helper()
	var out []manifest.Entry
	for {
		e, err := r.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, e)
	}
}

func TestCSVManifests(t *testing.T) {
	tests := []struct {
		name    string
		fields  []string
		body    string
		want    []manifest.Entry
		failure string // part of the failure reason, "" for success
	}{
		{"bucket and key, keys URL-decoded", []string{"Bucket", "Key"},
			"b1,plain.txt\nb1,object%20key%20with%20spaces\nb2,a+b%2Bc/%C3%A9t%C3%A9\n",
			[]manifest.Entry{{"b1", "plain.txt", "plain.txt", ""}, {"b1", "object key with spaces", "object%20key%20with%20spaces", ""},
				{"b2", "a b+c/été", "a+b%2Bc/%C3%A9t%C3%A9", ""}}, ""},
		{"with version ids", []string{"Bucket", "Key", "VersionId"}, "b,k1,v1\nb,k2,v2",
			[]manifest.Entry{{"b", "k1", "k1", "v1"}, {"b", "k2", "k2", "v2"}}, ""},
		{"ignored columns and CRLF line ends", []string{"Ignore", "Bucket", "Key"}, "x,b,k\r\ny,b,k2\r\n",
			[]manifest.Entry{{"b", "k", "k", ""}, {"b", "k2", "k2", ""}}, ""},
		{"quoted fields", []string{"Bucket", "Key"}, "b,\"k,1\"\n", []manifest.Entry{{"b", "k,1", "k,1", ""}}, ""},
		{"blank lines are skipped", []string{"Bucket", "Key"}, "b,k\n\n\nb,k2\n", []manifest.Entry{{"b", "k", "k", ""}, {"b", "k2", "k2", ""}}, ""},
		{"an empty manifest has no entries", []string{"Bucket", "Key"}, "", nil, ""},
		{"mixing rows with and without version ids fails", []string{"Bucket", "Key", "VersionId"}, "b,k1,v1\nb,k2,\n", nil, "either every row"},
		{"a row with too few columns fails", []string{"Bucket", "Key", "VersionId"}, "b,k1\n", nil, "row 1 has 2 columns"},
		{"a row with too many columns fails", []string{"Bucket", "Key"}, "b,k,extra\n", nil, "row 1 has 3 columns"},
		{"bad URL encoding fails", []string{"Bucket", "Key"}, "b,ok\nb,bad%zz\n", nil, "Invalid object key format: row 2"},
		{"an empty key fails", []string{"Bucket", "Key"}, "b,\n", nil, "the key is empty"},
		{"an empty bucket fails", []string{"Bucket", "Key"}, ",k\n", nil, "no valid bucket"},
		{"a key over 1,024 characters fails", []string{"Bucket", "Key"}, "b," + strings.Repeat("k", 1025) + "\n", nil, "longer than 1024"},
		{"a byte-order mark fails", []string{"Bucket", "Key"}, "\uFEFFb,k\n", nil, "byte-order mark"},
		{"a bare quote fails", []string{"Bucket", "Key"}, "b,k\"x\n", nil, "Invalid Manifest Content: row 1"},
		{"fields without a key fail", []string{"Bucket", "VersionId"}, "b,v\n", nil, "Required fields are missing"},
		{"a field named twice fails", []string{"Bucket", "Key", "Key"}, "b,k,k\n", nil, "named twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := manifest.NewCSV(strings.NewReader(tt.body), tt.fields, 0, 0)
			var got []manifest.Entry
			if err == nil {
				got, err = readAll(t, r)
			}
			if tt.failure != "" {
				var f *manifest.Failure
				if !errors.As(err, &f) || f.Code != manifest.InvalidContent || !strings.Contains(f.Reason, tt.failure) || len(f.Reason) > 256 {
					t.Fatalf("err = %v, want an InvalidManifestContent failure mentioning %q", err, tt.failure)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("entries %+v, want %+v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Fatalf("entry %d = %+v, want %+v", i, got[i], tt.want[i])
				}
			}
		})
	}
}

func TestCSVResumesFromACheckpoint(t *testing.T) {
	var body strings.Builder
	for i := range 1000 {
		body.WriteString("bucket,key-")
		body.WriteString(strings.Repeat("x", i%7))
		body.WriteString("\n")
	}
	all := body.String()
	first, _ := manifest.NewCSV(strings.NewReader(all), []string{"Bucket", "Key"}, 0, 0)
	var want []manifest.Entry
	var offset, rows int64
	for i := 0; ; i++ {
		e, err := first.Next()
		if err == io.EOF {
			break
		}
		want = append(want, e)
		if i == 436 {
			offset, rows = first.Offset(), first.Rows()
		}
	}
	resumed, _ := manifest.NewCSV(strings.NewReader(all[offset:]), []string{"Bucket", "Key"}, offset, rows)
	got, err := readAll(t, resumed)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1000-437 || got[0] != want[437] || resumed.Rows() != 1000 || resumed.Offset() != int64(len(all)) {
		t.Fatalf("resumed %d entries from row %d, rows %d offset %d", len(got), rows, resumed.Rows(), resumed.Offset())
	}
}

func gzipped(s string) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write([]byte(s))
	w.Close()
	return b.Bytes()
}

func TestInventoryManifests(t *testing.T) {
	doc := `{"sourceBucket":"src","destinationBucket":"arn:aws:s3:::inv","version":"2016-11-30","creationTimestamp":"1514944800000",
	 "fileFormat":"CSV","fileSchema":"Bucket, Key, VersionId, IsLatest, Size","files":[{"key":"inv/data/a.csv.gz","size":10,"MD5checksum":"x"}]}`
	inv, err := manifest.ParseInventory(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	if got := inv.Fields(); strings.Join(got, ",") != "Bucket,Key,VersionId,Ignore,Ignore" {
		t.Fatalf("fields %v", got)
	}
	data := gzipped("\"src\",\"a%20b\",\"v1\",\"true\",\"5\"\n\"src\",\"c\",\"v2\",\"true\",\"7\"\n\"src\",\"d\",\"v3\",\"false\",\"9\"\n")
	t.Run("a data file's entries", func(t *testing.T) {
		f, err := inv.OpenInventoryFile(bytes.NewReader(data), 0)
		if err != nil {
			t.Fatal(err)
		}
		e, err := f.Next()
		if err != nil || e != (manifest.Entry{Bucket: "src", Key: "a b", RawKey: "a%20b", VersionID: "v1"}) {
			t.Fatalf("first = %+v, %v", e, err)
		}
	})
	t.Run("resuming skips the rows already done", func(t *testing.T) {
		f, _ := inv.OpenInventoryFile(bytes.NewReader(data), 2)
		e, err := f.Next()
		if err != nil || e.Key != "d" || f.Rows() != 3 {
			t.Fatalf("after skipping 2: %+v, %v, rows %d", e, err, f.Rows())
		}
		if _, err := f.Next(); err != io.EOF {
			t.Fatalf("end = %v", err)
		}
	})
	t.Run("a corrupt data file fails the job", func(t *testing.T) {
		bad := append([]byte(nil), data...)
		bad[len(bad)-5] ^= 0xff // the gzip trailer's CRC
		f, _ := inv.OpenInventoryFile(bytes.NewReader(bad), 0)
		var err error
		for err == nil {
			_, err = f.Next()
		}
		var fail *manifest.Failure
		if !errors.As(err, &fail) {
			t.Fatalf("err = %v, want a failure", err)
		}
		if _, err := inv.OpenInventoryFile(strings.NewReader("not gzip"), 0); err == nil {
			t.Fatal("plain text accepted as gzip")
		}
	})
	for name, doc := range map[string]string{
		"not JSON":           `{`,
		"a Parquet report":   `{"fileFormat":"Parquet","fileSchema":"Bucket, Key","files":[{"key":"k"}]}`,
		"no files":           `{"fileFormat":"CSV","fileSchema":"Bucket, Key","files":[]}`,
		"no Key column":      `{"fileFormat":"CSV","fileSchema":"Bucket, Size","files":[{"key":"k"}]}`,
		"a file with no key": `{"fileFormat":"CSV","fileSchema":"Bucket, Key","files":[{"size":1}]}`,
	} {
		t.Run("an inventory manifest with "+name+" fails", func(t *testing.T) {
			var fail *manifest.Failure
			if _, err := manifest.ParseInventory(strings.NewReader(doc)); !errors.As(err, &fail) {
				t.Fatalf("err = %v", err)
			}
		})
	}
}

func BenchmarkCSV(b *testing.B) {
	var body strings.Builder
	for range 100000 {
		body.WriteString("my-bucket,some/prefix/object-key-0000000000.jpg\n")
	}
	data := body.String()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		r, _ := manifest.NewCSV(strings.NewReader(data), []string{"Bucket", "Key"}, 0, 0)
		for {
			if _, err := r.Next(); err != nil {
				break
			}
		}
	}
}
