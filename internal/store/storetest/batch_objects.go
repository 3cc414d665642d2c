package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"

	"github.com/jobplane/jobplane/internal/store"
)

// RunObjectsBatch runs the behavioural suite of store.ObjectsBatch against
// a driver whose store.Objects implements it.
func RunObjectsBatch(t *testing.T, open ObjectsOpener) {
	ctx := context.Background()
	use := func(t *testing.T) store.ObjectsBatch {
		o, closeFn := open(t)
		t.Cleanup(func() { closeFn() })
		b, ok := o.(store.ObjectsBatch)
		if !ok {
			t.Fatalf("%T does not implement store.ObjectsBatch", o)
		}
		return b
	}
	objects := func(b store.ObjectsBatch) store.Objects { return b.(store.Objects) }
	// bump is a callback that counts its runs in the version's attributes.
	bump := func(_ *store.ObjectBucket, v *store.ObjectVersion) error {
		n, _ := strconv.Atoi(string(v.Attrs))
		v.Attrs = []byte(strconv.Itoa(n + 1))
		return nil
	}
	count := func(t *testing.T, o store.Objects, bucket, key, id string) int {
		t.Helper()
		v, err := o.GetVersion(ctx, bucket, key, id)
		if err != nil {
			t.Fatalf("GetVersion %s %s: %v", key, id, err)
		}
		n, _ := strconv.Atoi(string(v.Attrs))
		return n
	}

	t.Run("current versions of several keys change in one call, missing keys fail alone", func(t *testing.T) {
		t.Parallel()
		b := use(t)
		o := objects(b)
		mustBucket(t, o, "bkt-cur", "")
		for _, k := range []string{"a", "b", "c"} {
			put(t, o, "bkt-cur", k, "", false)
		}
		refs := []store.VersionRef{{Key: "a"}, {Key: "missing"}, {Key: "c"}, {Key: "b", VersionID: "no-such-version"}}
		out, errs, err := b.UpdateVersions(ctx, "bkt-cur", refs, func(bk *store.ObjectBucket, v *store.ObjectVersion) error {
			if bk.Name != "bkt-cur" {
				t.Errorf("callback saw bucket %q", bk.Name)
			}
			v.Attrs, v.Tags, v.StorageClass = []byte("changed-"+v.Key), []byte("tags-"+v.Key), "GLACIER"
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if errs[0] != nil || errs[2] != nil || !errors.Is(errs[1], store.ErrNoSuchKey) || !errors.Is(errs[3], store.ErrNoSuchVersion) {
			t.Fatalf("errors = %v", errs)
		}
		if string(out[0].Attrs) != "changed-a" || out[0].Key != "a" || out[2].StorageClass != "GLACIER" {
			t.Fatalf("returned versions = %+v", out)
		}
		for _, k := range []string{"a", "c"} {
			v, _ := o.GetVersion(ctx, "bkt-cur", k, "")
			if string(v.Attrs) != "changed-"+k || string(v.Tags) != "tags-"+k || v.StorageClass != "GLACIER" {
				t.Fatalf("%s reads back %+v", k, v)
			}
		}
		if v, _ := o.GetVersion(ctx, "bkt-cur", "b", ""); string(v.Attrs) != `{"a":1}` || string(v.Tags) != `["t"]` {
			t.Fatalf("b was changed: %s %s", v.Attrs, v.Tags)
		}
	})

	t.Run("named versions change and the current one stays current", func(t *testing.T) {
		t.Parallel()
		b := use(t)
		o := objects(b)
		mustBucket(t, o, "bkt-ver", "Enabled")
		put(t, o, "bkt-ver", "k", "v1", false)
		put(t, o, "bkt-ver", "k", "v2", false)
		_, errs, err := b.UpdateVersions(ctx, "bkt-ver", []store.VersionRef{{Key: "k", VersionID: "v1"}}, bump)
		if err != nil || errs[0] != nil {
			t.Fatalf("UpdateVersions = %v, %v", errs, err)
		}
		if count(t, o, "bkt-ver", "k", "v1") != 1 || count(t, o, "bkt-ver", "k", "v2") != 0 {
			t.Fatal("the wrong version changed")
		}
		cur, _ := o.GetVersion(ctx, "bkt-ver", "k", "")
		if cur.VersionID != "v2" || !cur.IsLatest {
			t.Fatalf("current version is now %+v", cur)
		}
		_, errs, _ = b.UpdateVersions(ctx, "bkt-ver", []store.VersionRef{{Key: "k"}}, bump)
		if errs[0] != nil || count(t, o, "bkt-ver", "k", "v2") != 1 || count(t, o, "bkt-ver", "k", "v1") != 1 {
			t.Fatalf("updating the current version: %v", errs)
		}
	})

	t.Run("a callback's refusal changes nothing for that version only", func(t *testing.T) {
		t.Parallel()
		b := use(t)
		o := objects(b)
		mustBucket(t, o, "bkt-refuse", "")
		put(t, o, "bkt-refuse", "x", "", false)
		put(t, o, "bkt-refuse", "y", "", false)
		refusal := errors.New("refused")
		_, errs, err := b.UpdateVersions(ctx, "bkt-refuse", []store.VersionRef{{Key: "x"}, {Key: "y"}}, func(bk *store.ObjectBucket, v *store.ObjectVersion) error {
			if v.Key == "x" {
				v.Attrs = []byte("should not stick")
				return refusal
			}
			return bump(bk, v)
		})
		if err != nil || !errors.Is(errs[0], refusal) || errs[1] != nil {
			t.Fatalf("UpdateVersions = %v, %v", errs, err)
		}
		if v, _ := o.GetVersion(ctx, "bkt-refuse", "x", ""); string(v.Attrs) != `{"a":1}` {
			t.Fatalf("the refused version changed: %s", v.Attrs)
		}
		if count(t, o, "bkt-refuse", "y", "") != 1 {
			t.Fatal("the other version did not change")
		}
	})

	t.Run("a missing bucket fails the whole call", func(t *testing.T) {
		t.Parallel()
		b := use(t)
		if _, _, err := b.UpdateVersions(ctx, "bkt-none", []store.VersionRef{{Key: "k"}}, bump); !errors.Is(err, store.ErrNoSuchBucket) {
			t.Fatalf("err = %v, want ErrNoSuchBucket", err)
		}
	})

	t.Run("a key named twice in one call changes twice", func(t *testing.T) {
		t.Parallel()
		b := use(t)
		o := objects(b)
		mustBucket(t, o, "bkt-twice", "")
		put(t, o, "bkt-twice", "k", "", false)
		_, errs, err := b.UpdateVersions(ctx, "bkt-twice", []store.VersionRef{{Key: "k"}, {Key: "k"}}, bump)
		if err != nil || errs[0] != nil || errs[1] != nil {
			t.Fatalf("UpdateVersions = %v, %v", errs, err)
		}
		if n := count(t, o, "bkt-twice", "k", ""); n != 2 {
			t.Fatalf("count = %d, want 2", n)
		}
	})

	t.Run("no change is lost when batch and single updates race", func(t *testing.T) {
		t.Parallel()
		b := use(t)
		o := objects(b)
		mustBucket(t, o, "bkt-race", "")
		keys := []string{"k0", "k1", "k2", "k3"}
		refs := make([]store.VersionRef, len(keys))
		for i, k := range keys {
			put(t, o, "bkt-race", k, "", false)
			refs[i] = store.VersionRef{Key: k}
		}
		const rounds = 20
		var wg sync.WaitGroup
		for range 4 {
			wg.Add(2)
			go func() {
				defer wg.Done()
				for range rounds {
					if _, errs, err := b.UpdateVersions(ctx, "bkt-race", refs, bump); err != nil || errors.Join(errs...) != nil {
						t.Errorf("UpdateVersions: %v %v", err, errs)
						return
					}
				}
			}()
			go func() {
				defer wg.Done()
				for i := range rounds {
					if _, err := o.UpdateVersion(ctx, "bkt-race", keys[i%len(keys)], "", bump); err != nil {
						t.Error(err)
						return
					}
				}
			}()
		}
		wg.Wait()
		total := 0
		for _, k := range keys {
			total += count(t, o, "bkt-race", k, "")
		}
		if want := 4*rounds*len(keys) + 4*rounds; total != want {
			t.Fatalf("counted %d changes, want %d", total, want)
		}
	})

	t.Run("a delete marker is handed to the callback like any version", func(t *testing.T) {
		t.Parallel()
		b := use(t)
		o := objects(b)
		mustBucket(t, o, "bkt-marker", "Enabled")
		put(t, o, "bkt-marker", "k", "v1", false)
		put(t, o, "bkt-marker", "k", "m1", true)
		isMarker := errors.New("marker")
		_, errs, err := b.UpdateVersions(ctx, "bkt-marker", []store.VersionRef{{Key: "k"}}, func(_ *store.ObjectBucket, v *store.ObjectVersion) error {
			if v.DeleteMarker {
				return isMarker
			}
			return nil
		})
		if err != nil || !errors.Is(errs[0], isMarker) {
			t.Fatalf("UpdateVersions = %v, %v", errs, err)
		}
	})
}

// RunObjectsPatcher runs the behavioural suite of store.ObjectsPatcher
// against a driver whose store.Objects implements it.
func RunObjectsPatcher(t *testing.T, open ObjectsOpener) {
	ctx := context.Background()
	use := func(t *testing.T) (store.Objects, store.ObjectsPatcher) {
		o, closeFn := open(t)
		t.Cleanup(func() { closeFn() })
		p, ok := o.(store.ObjectsPatcher)
		if !ok {
			t.Fatalf("%T does not implement store.ObjectsPatcher", o)
		}
		return o, p
	}
	attrs := func(t *testing.T, o store.Objects, bucket, key, id string) map[string]any {
		t.Helper()
		v, err := o.GetVersion(ctx, bucket, key, id)
		if err != nil {
			t.Fatalf("GetVersion %s %s: %v", key, id, err)
		}
		var m map[string]any
		if err := json.Unmarshal(v.Attrs, &m); err != nil {
			t.Fatalf("attributes of %s are not JSON: %q", key, v.Attrs)
		}
		return m
	}

	t.Run("a patch changes what it names and keeps the rest", func(t *testing.T) {
		t.Parallel()
		o, p := use(t)
		mustBucket(t, o, "pat-members", "")
		put(t, o, "pat-members", "k", "", false) // attrs {"a":1}, tags ["t"]
		tags := `[{"Key":"x","Value":"y"}]`
		applied, err := p.PatchVersions(ctx, "pat-members", []store.VersionRef{{Key: "k"}},
			store.VersionPatch{Attrs: []byte(`{"n":{"deep":true}}`), SetTags: true, Tags: []byte(tags)})
		if err != nil || !applied[0] {
			t.Fatalf("PatchVersions = %v, %v", applied, err)
		}
		got := attrs(t, o, "pat-members", "k", "")
		if got["a"] != float64(1) || got["n"].(map[string]any)["deep"] != true {
			t.Fatalf("attributes %v", got)
		}
		v, _ := o.GetVersion(ctx, "pat-members", "k", "")
		if string(v.Tags) != tags {
			t.Fatalf("tags %q, want %q", v.Tags, tags)
		}
		if v.Size != 3 || v.ETag != `"e"` || v.StorageClass != "STANDARD" || !v.IsLatest {
			t.Fatalf("other fields changed: %+v", v)
		}
		// null removes a member; an object merges into an object; the tags
		// are kept when the patch does not set them.
		if _, err := p.PatchVersions(ctx, "pat-members", []store.VersionRef{{Key: "k"}},
			store.VersionPatch{Attrs: []byte(`{"a":null,"n":{"other":1}}`)}); err != nil {
			t.Fatal(err)
		}
		got = attrs(t, o, "pat-members", "k", "")
		if _, ok := got["a"]; ok || got["n"].(map[string]any)["deep"] != true || got["n"].(map[string]any)["other"] != float64(1) {
			t.Fatalf("attributes %v", got)
		}
		if v, _ := o.GetVersion(ctx, "pat-members", "k", ""); string(v.Tags) != tags {
			t.Fatalf("tags %q after an attrs patch, want %q", v.Tags, tags)
		}
		// Tags alone, set to nothing, leave the attributes as they are.
		before, _ := o.GetVersion(ctx, "pat-members", "k", "")
		if _, err := p.PatchVersions(ctx, "pat-members", []store.VersionRef{{Key: "k"}}, store.VersionPatch{SetTags: true}); err != nil {
			t.Fatal(err)
		}
		if v, _ := o.GetVersion(ctx, "pat-members", "k", ""); v.Tags != nil || string(v.Attrs) != string(before.Attrs) {
			t.Fatalf("after clearing the tags: tags %q, attrs %s (were %s)", v.Tags, v.Attrs, before.Attrs)
		}
	})

	t.Run("missing keys, unknown versions and delete markers are left alone and reported", func(t *testing.T) {
		t.Parallel()
		o, p := use(t)
		mustBucket(t, o, "pat-skip", "Enabled")
		put(t, o, "pat-skip", "live", "v1", false)
		put(t, o, "pat-skip", "gone", "v2", false)
		put(t, o, "pat-skip", "gone", "m1", true)
		refs := []store.VersionRef{{Key: "live"}, {Key: "missing"}, {Key: "gone"}, {Key: "gone", VersionID: "m1"},
			{Key: "gone", VersionID: "v2"}, {Key: "live", VersionID: "nope"}, {Key: "live"}}
		applied, err := p.PatchVersions(ctx, "pat-skip", refs, store.VersionPatch{Attrs: []byte(`{"p":1}`)})
		if err != nil {
			t.Fatal(err)
		}
		if want := []bool{true, false, false, false, true, false, true}; fmt.Sprint(applied) != fmt.Sprint(want) {
			t.Fatalf("applied %v, want %v", applied, want)
		}
		if attrs(t, o, "pat-skip", "gone", "v2")["p"] != float64(1) {
			t.Fatal("the named version was not patched")
		}
		if v, _ := o.GetVersion(ctx, "pat-skip", "gone", "m1"); string(v.Attrs) != `{"a":1}` {
			t.Fatalf("the delete marker was patched: %s", v.Attrs)
		}
	})

	t.Run("a missing bucket fails the whole call", func(t *testing.T) {
		t.Parallel()
		_, p := use(t)
		if _, err := p.PatchVersions(ctx, "pat-none", []store.VersionRef{{Key: "k"}}, store.VersionPatch{Attrs: []byte(`{}`)}); !errors.Is(err, store.ErrNoSuchBucket) {
			t.Fatalf("err = %v", err)
		}
	})

	t.Run("a patch of many keys changes every one in one call", func(t *testing.T) {
		t.Parallel()
		o, p := use(t)
		mustBucket(t, o, "pat-many", "")
		refs := make([]store.VersionRef, 700)
		for i := range refs {
			k := fmt.Sprintf("k%04d", i)
			put(t, o, "pat-many", k, "", false)
			refs[i] = store.VersionRef{Key: k}
		}
		applied, err := p.PatchVersions(ctx, "pat-many", refs, store.VersionPatch{SetTags: true, Tags: []byte(`[]`)})
		if err != nil {
			t.Fatal(err)
		}
		for i, ok := range applied {
			if !ok {
				t.Fatalf("ref %d not applied", i)
			}
		}
		if v, _ := o.GetVersion(ctx, "pat-many", "k0699", ""); string(v.Tags) != `[]` {
			t.Fatalf("the last key was not patched: tags %q", v.Tags)
		}
	})

	t.Run("patches and callbacks racing on the same versions lose nothing", func(t *testing.T) {
		t.Parallel()
		o, p := use(t)
		mustBucket(t, o, "pat-race", "")
		put(t, o, "pat-race", "k", "", false)
		var wg sync.WaitGroup
		for i := range 20 {
			wg.Add(2)
			go func() {
				defer wg.Done()
				if _, err := p.PatchVersions(ctx, "pat-race", []store.VersionRef{{Key: "k"}}, store.VersionPatch{Attrs: []byte(fmt.Sprintf(`{"p%d":1}`, i))}); err != nil {
					t.Error(err)
				}
			}()
			go func() {
				defer wg.Done()
				_, err := o.UpdateVersion(ctx, "pat-race", "k", "", func(_ *store.ObjectBucket, v *store.ObjectVersion) error {
					var m map[string]any
					json.Unmarshal(v.Attrs, &m)
					m[fmt.Sprintf("u%d", i)] = 1
					v.Attrs, _ = json.Marshal(m)
					return nil
				})
				if err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		if got := attrs(t, o, "pat-race", "k", ""); len(got) != 41 {
			t.Fatalf("%d members after 40 changes and the original one: %v", len(got), got)
		}
	})
}
