package embedded

import (
	"context"
	"errors"

	"github.com/jobplane/jobplane/internal/objectstore"
	"github.com/jobplane/jobplane/internal/store"
)

var _ objectstore.BatchUpdater = (*Store)(nil)

// UpdateObjects implements objectstore.BatchUpdater with one metadata write
// for all the versions when the metadata store can batch (store.ObjectsBatch),
// else one updateObject per version. (Added for the batch engine, issue 5.)
func (s *Store) UpdateObjects(ctx context.Context, bucket string, refs []objectstore.ObjectRef, change objectstore.ObjectChange) ([]error, error) {
	if change.SetTags {
		if err := objectstore.ValidateObjectTags(change.Tags); err != nil {
			return nil, err
		}
	}
	if change.ACL != nil {
		if err := objectstore.ValidateACL(*change.ACL); err != nil {
			return nil, err
		}
	}
	apply := func(a *versionAttrs) {
		if change.SetTags {
			a.Tags = change.Tags
			if len(change.Tags) == 0 {
				a.Tags = nil
			}
		}
		if change.ACL != nil {
			a.ACL = aclFor(*change.ACL, a.Owner)
		}
	}
	errs := make([]error, len(refs))
	if patched, err := s.patchObjects(ctx, bucket, refs, change); err != nil {
		return nil, err
	} else if patched != nil {
		// What the patch did not change (missing keys, delete markers,
		// other buckets) takes the ordinary path, for its exact error.
		var rest []objectstore.ObjectRef
		var at []int
		for i, ok := range patched {
			if !ok {
				rest, at = append(rest, refs[i]), append(at, i)
			}
		}
		if len(rest) == 0 {
			return errs, nil
		}
		restErrs, err := s.updateObjects(ctx, bucket, rest, apply)
		if err != nil {
			return nil, err
		}
		for j, i := range at {
			errs[i] = restErrs[j]
		}
		return errs, nil
	}
	return s.updateObjects(ctx, bucket, refs, apply)
}

// patchObjects applies change to refs with one patch of their records when
// the metadata store can (store.ObjectsPatcher) and the change is the same
// for every version (a tag set, or an ACL naming its owner). It returns
// which refs it changed, or nil when it could not try.
func (s *Store) patchObjects(ctx context.Context, bucket string, refs []objectstore.ObjectRef, change objectstore.ObjectChange) ([]bool, error) {
	p, ok := s.meta.(store.ObjectsPatcher)
	if !ok || change.ACL != nil && change.ACL.Owner.ID == "" {
		return nil, nil
	}
	patch := store.VersionPatch{SetTags: change.SetTags, Tags: encodeTags(change.Tags)}
	if change.ACL != nil {
		patch.Attrs = mustJSON(versionAttrs{ACL: change.ACL})
	}
	vrefs := make([]store.VersionRef, 0, len(refs))
	idx := make([]int, 0, len(refs))
	for i, r := range refs {
		if r.Bucket == bucket && (r.VersionID == "" || validVersionID(r.VersionID)) {
			vrefs = append(vrefs, store.VersionRef{Key: r.Key, VersionID: r.VersionID})
			idx = append(idx, i)
		}
	}
	out := make([]bool, len(refs))
	if len(vrefs) == 0 {
		return out, nil
	}
	applied, err := p.PatchVersions(ctx, bucket, vrefs, patch)
	if err != nil {
		return nil, mapErr(err, bucket, "", "")
	}
	for j, ok := range applied {
		out[idx[j]] = ok
	}
	return out, nil
}

// updateObjects applies change to refs through the metadata store's batch
// of callbacks (store.ObjectsBatch), or one version at a time.
func (s *Store) updateObjects(ctx context.Context, bucket string, refs []objectstore.ObjectRef, apply func(*versionAttrs)) ([]error, error) {
	errs := make([]error, len(refs))
	batch, ok := s.meta.(store.ObjectsBatch)
	if !ok {
		for i, r := range refs {
			if r.Bucket != bucket {
				errs[i] = objectstore.ErrInvalidRequest("Every object of a batch update must be in the same bucket.")
				continue
			}
			_, errs[i] = s.updateObject(ctx, r, func(_ objectstore.Bucket, _ *store.ObjectVersion, a *versionAttrs) error {
				apply(a)
				return nil
			})
		}
		return errs, nil
	}
	vrefs := make([]store.VersionRef, 0, len(refs))
	idx := make([]int, 0, len(refs))
	for i, r := range refs {
		switch {
		case r.Bucket != bucket:
			errs[i] = objectstore.ErrInvalidRequest("Every object of a batch update must be in the same bucket.")
		case r.VersionID != "" && !validVersionID(r.VersionID):
			errs[i] = objectstore.ErrInvalidVersionID(r.VersionID)
		default:
			vrefs = append(vrefs, store.VersionRef{Key: r.Key, VersionID: r.VersionID})
			idx = append(idx, i)
		}
	}
	if len(vrefs) == 0 {
		return errs, nil
	}
	_, verrs, err := batch.UpdateVersions(ctx, bucket, vrefs, func(_ *store.ObjectBucket, v *store.ObjectVersion) error {
		if v.DeleteMarker {
			return errDeleteMarker
		}
		a, err := decodeAttrs(*v)
		if err != nil {
			return err
		}
		apply(&a)
		setAttrs(v, a)
		return nil
	})
	if err != nil {
		return nil, mapErr(err, bucket, "", "")
	}
	for j, e := range verrs {
		i := idx[j]
		r := refs[i]
		switch {
		case e == nil:
		case errors.Is(e, errDeleteMarker) && r.VersionID == "":
			errs[i] = objectstore.ErrNoSuchKey(r.Key)
		case errors.Is(e, errDeleteMarker):
			errs[i] = objectstore.ErrDeleteMarkerVersion(r.VersionID)
		default:
			errs[i] = mapErr(e, bucket, r.Key, r.VersionID)
		}
	}
	return errs, nil
}

// errDeleteMarker is what the batch callback says of a delete marker; the
// caller turns it into the error the single call gives.
var errDeleteMarker = errors.New("embedded: delete marker")
