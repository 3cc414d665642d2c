package embedded

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/jobplane/jobplane/internal/objectstore"
)

var hostileKeys = []string{
	"..", "../..", "../../../../etc/passwd", "/leading/slash", "a//b", "trailing/", "./dot", "nul\x00byte",
	"%2e%2e%2f%2e%2e%2fescape", "url%20encoded%2Fkey", "back\\slash\\..\\..", "new\nline", "tab\tkey", " spaces ",
	"ünïcødé/日本語/😀", "CON", "aux.txt", strings.Repeat("long/", 204) + "k", strings.Repeat("é", 512),
}

var dataName = regexp.MustCompile(`^[0-9a-f]{32}$`)

func TestHostileKeysRoundTripAndNeverBecomePaths(t *testing.T) {
	t.Parallel()
	f := open(t, "", SyncDefault)
	f.bucket(t, "hostile", false)
	for _, k := range hostileKeys {
		if len(k) > objectstore.MaxKeyLength {
			t.Fatalf("test key %q is over the limit", k)
		}
		f.put(t, "hostile", k, "body of "+k)
	}
	for _, k := range hostileKeys {
		t.Run(fmt.Sprintf("key %q reads back exactly", k), func(t *testing.T) {
			got, o, err := f.get(t, objectstore.GetObjectInput{Bucket: "hostile", Key: k})
			if err != nil || got != "body of "+k || o.Info.Key != k {
				t.Fatalf("GetObject = %q, %v", got, err)
			}
		})
	}
	t.Run("the listing holds every key exactly once", func(t *testing.T) {
		res, err := f.s.ListObjects(context.Background(), objectstore.ListObjectsInput{Bucket: "hostile", MaxKeys: 1000})
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]int{}
		for _, o := range res.Objects {
			seen[o.Key]++
		}
		for _, k := range hostileKeys {
			if seen[k] != 1 {
				t.Errorf("key %q listed %d times", k, seen[k])
			}
		}
	})
	t.Run("every file under the data directory is named by an id", func(t *testing.T) {
		err := filepath.WalkDir(f.dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(f.dir, path)
			switch {
			case d.IsDir(), strings.HasPrefix(d.Name(), "jobplane.db"):
			case strings.HasPrefix(rel, filepath.Join("objects", "data")) && dataName.MatchString(d.Name()):
			case strings.HasPrefix(rel, filepath.Join("objects", "packs")) && dataName.MatchString(strings.TrimSuffix(d.Name(), ".pack")):
			default:
				t.Errorf("unexpected file %s", rel)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
	t.Run("a key over 1024 bytes is refused", func(t *testing.T) {
		_, err := f.s.PutObject(context.Background(), objectstore.PutObjectInput{Bucket: "hostile", Key: strings.Repeat("k", 1025),
			Body: strings.NewReader("x"), Size: 1})
		wantCode(t, err, objectstore.CodeKeyTooLong)
	})
}

func TestConcurrentWritersToOneKeyLeaveOneWholeObject(t *testing.T) {
	t.Parallel()
	for _, mode := range []SyncMode{SyncFS, SyncFiles} {
		t.Run(fmt.Sprintf("with sync mode %d", mode), func(t *testing.T) {
			t.Parallel()
			f := open(t, "", mode)
			f.bucket(t, "race", false)
			const writers = 24
			bodies := make([]string, writers)
			var wg sync.WaitGroup
			for i := range writers {
				// Small bodies are packed, large ones get files: both race.
				size := 1000 * (i + 1)
				if i%2 == 1 {
					size += packMax
				}
				bodies[i] = strings.Repeat(string(rune('a'+i)), size)
				wg.Add(1)
				go func() {
					defer wg.Done()
					f.put(t, "race", "same", bodies[i])
				}()
			}
			wg.Wait()
			got, _, err := f.get(t, objectstore.GetObjectInput{Bucket: "race", Key: "same"})
			if err != nil {
				t.Fatal(err)
			}
			whole := false
			for _, b := range bodies {
				whole = whole || got == b
			}
			if !whole {
				t.Fatalf("the object is not one writer's whole body (%d bytes)", len(got))
			}
			vs, err := f.s.ListObjectVersions(context.Background(), objectstore.ListVersionsInput{Bucket: "race", MaxKeys: 100})
			if err != nil || len(vs.Versions) != 1 {
				t.Fatalf("versions = %d, %v", len(vs.Versions), err)
			}
			// The overwritten versions' data is freed: no garbage is left,
			// and at most the winner's file remains.
			if !eventually(func() bool { return garbageLeft(t, f) == 0 && countData(t, f) <= 1 }) {
				t.Fatalf("%d garbage entries and %d data files remain for one object", garbageLeft(t, f), countData(t, f))
			}
		})
	}
}

// garbageLeft is how much freed data the store still lists.
func garbageLeft(t *testing.T, f *fixture) int {
	t.Helper()
	g, err := f.db.Objects().Garbage(context.Background(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	return len(g)
}

// countData counts the data files (packs aside).
func countData(t *testing.T, f *fixture) int {
	t.Helper()
	n := 0
	filepath.WalkDir(filepath.Join(f.dir, "objects", "data"), func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return nil
	})
	return n
}

func TestAReaderKeepsItsVersionWhileItIsOverwrittenAndDeleted(t *testing.T) {
	t.Parallel()
	f := open(t, "", SyncDefault)
	f.bucket(t, "readers", false)
	// Over packMax, so the version gets a file of its own: packed data of
	// the current pack is never removed, and could not show a reader losing
	// its bytes.
	first := "the first version" + strings.Repeat("x", packMax)
	f.put(t, "readers", "k", first)
	o, err := f.s.GetObject(context.Background(), objectstore.GetObjectInput{Bucket: "readers", Key: "k"})
	if err != nil {
		t.Fatal(err)
	}
	f.put(t, "readers", "k", "the second version")
	if _, err := f.s.DeleteObject(context.Background(), objectstore.DeleteObjectInput{Bucket: "readers", Key: "k"}); err != nil {
		t.Fatal(err)
	}
	// The reaper runs meanwhile; the open reader holds its epoch.
	f.s.files.freePending(context.Background(), false)
	b, err := io.ReadAll(o.Body)
	if err != nil || string(b) != first {
		t.Fatalf("read %d bytes (want the %d of the first version), %v", len(b), len(first), err)
	}
	o.Body.Close()
	if !eventually(func() bool { return garbageLeft(t, f) == 0 }) {
		t.Fatalf("%d garbage entries remain after the reader closed", garbageLeft(t, f))
	}
}

func TestACrashLeavesNothingBehindAfterRestart(t *testing.T) {
	t.Parallel()
	f := open(t, "", SyncDefault)
	dir := f.dir
	f.bucket(t, "crash", false)
	f.put(t, "crash", "kept", "acknowledged")
	// What a crash leaves: an upload half written in tmp/, and a whole file
	// renamed into place whose metadata commit never happened.
	half := f.s.files.path(newDataID()) + tmpSuffix
	os.WriteFile(half, []byte("half"), 0o644)
	orphan := newDataID()
	os.WriteFile(f.s.files.path(orphan), []byte("uncommitted"), 0o644)
	// A crash does not write the clean marker: close the store without it.
	f.s.files.closed = true
	close(f.s.files.stop)
	<-f.s.files.done
	f.db.Close()
	f.s = nil

	g := open(t, dir, SyncDefault)
	got, _, err := g.get(t, objectstore.GetObjectInput{Bucket: "crash", Key: "kept"})
	if err != nil || got != "acknowledged" {
		t.Fatalf("the acknowledged object after restart: %q, %v", got, err)
	}
	if _, err := os.Stat(half); !os.IsNotExist(err) {
		t.Fatalf("a temporary file survives a restart: %v", err)
	}
	if !eventually(func() bool { _, err := os.Stat(g.s.files.path(orphan)); return os.IsNotExist(err) }) {
		t.Fatal("the orphaned data file was not removed")
	}
	if countData(t, g) != 0 {
		t.Fatalf("%d data files, want none (the one object is packed)", countData(t, g))
	}
}

func TestARefusedUploadStoresNothing(t *testing.T) {
	t.Parallel()
	f := open(t, "", SyncDefault)
	f.bucket(t, "digest", false)
	tests := []struct {
		name string
		ck   objectstore.UploadChecksum
		size int64
		code string
	}{
		{"a wrong Content-MD5 is BadDigest", objectstore.UploadChecksum{ContentMD5: "1B2M2Y8AsgTpgAmY7PhCfg=="}, 4, objectstore.CodeBadDigest},
		{"a malformed Content-MD5 is InvalidDigest", objectstore.UploadChecksum{ContentMD5: "nope"}, 4, objectstore.CodeInvalidDigest},
		{"a wrong CRC32 is BadDigest", objectstore.UploadChecksum{Algorithm: "CRC32", Value: "AAAAAA=="}, 4, objectstore.CodeBadDigest},
		{"a wrong trailing SHA256 is BadDigest", objectstore.UploadChecksum{Algorithm: "SHA256",
			Trailing: func() string { return "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=" }}, 4, objectstore.CodeBadDigest},
		{"a checksum of the wrong length is InvalidRequest", objectstore.UploadChecksum{Algorithm: "CRC32", Value: "AAAA"}, 4, objectstore.CodeInvalidRequest},
		{"an unsupported algorithm is InvalidRequest", objectstore.UploadChecksum{Algorithm: "XXHASH64"}, 4, objectstore.CodeInvalidRequest},
		{"a short body is IncompleteBody", objectstore.UploadChecksum{}, 10, objectstore.CodeIncompleteBody},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.s.PutObject(context.Background(), objectstore.PutObjectInput{Bucket: "digest", Key: "k",
				Body: strings.NewReader("data"), Size: tt.size, Checksum: tt.ck})
			wantCode(t, err, tt.code)
			if _, err := f.s.HeadObject(context.Background(), objectstore.GetObjectInput{Bucket: "digest", Key: "k"}); objectstore.Code(err) != objectstore.CodeNoSuchKey {
				t.Fatalf("after a refused upload HeadObject = %v", err)
			}
		})
	}
	if n := countData(t, f); n != 0 {
		t.Fatalf("%d data files after refused uploads", n)
	}
}

func TestPacksGoOnceTheirObjectsAreGone(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := open(t, "", SyncDefault)
	f.s.files.packs.rotateAt = 10_000 // two or three small objects a pack
	f.bucket(t, "packed", false)
	for i := range 10 {
		f.put(t, "packed", fmt.Sprint("k", i), strings.Repeat("x", 4000))
	}
	packs := func() int {
		ids, err := f.s.files.packs.all()
		if err != nil {
			t.Fatal(err)
		}
		return len(ids)
	}
	if n := packs(); n < 4 {
		t.Fatalf("%d packs for 40 kB with 10 kB packs", n)
	}
	for i := range 9 {
		if _, err := f.s.DeleteObject(ctx, objectstore.DeleteObjectInput{Bucket: "packed", Key: fmt.Sprint("k", i)}); err != nil {
			t.Fatal(err)
		}
	}
	// The packs of the deleted objects go; the last object's pack (the
	// current one) stays.
	if !eventually(func() bool { return packs() == 1 }) {
		t.Fatalf("%d packs remain for one object", packs())
	}
	if got, _, err := f.get(t, objectstore.GetObjectInput{Bucket: "packed", Key: "k9"}); err != nil || len(got) != 4000 {
		t.Fatalf("the surviving object: %d bytes, %v", len(got), err)
	}
}
