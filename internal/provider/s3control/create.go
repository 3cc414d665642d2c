package s3control

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/google/uuid"

	api "github.com/jobplane/jobplane/internal/api/s3control"
	"github.com/jobplane/jobplane/internal/store"
)

// CreateJob implements api.Service. The job is stored in status New with
// its tags and the request's idempotency record in one durable write, then
// handed to preparation (New → Preparing → Suspended or Ready), which runs
// in the background as on AWS, where a job is briefly New after CreateJob.
func (p *Provider) CreateJob(ctx context.Context, in *api.CreateJobRequest) (*api.CreateJobResult, error) {
	op, err := validateCreateJob(in)
	if err != nil {
		return nil, err
	}
	spec, err := encodeSpec(in)
	if err != nil {
		return nil, err
	}
	hash, err := requestHash(in)
	if err != nil {
		return nil, err
	}
	account := deref(in.AccountId)
	id := uuid.NewString() // lowercase UUIDv4, as AWS issues (spec §4.2)
	job := &store.Job{
		AccountID:   account,
		ID:          id,
		ARN:         fmt.Sprintf("arn:aws:s3:%s:%s:job/%s", p.regionOf(ctx), account, id),
		Operation:   op,
		Description: deref(in.Description),
		CreatedAt:   p.now(),
		Priority:    deref(in.Priority),
		State:       store.JobState{Status: string(sNew)},
		Spec:        spec,
	}
	got, created, err := p.jobs.CreateJob(ctx, job, storeTags(in.Tags), store.Idempotency{Token: deref(in.ClientRequestToken), RequestHash: hash})
	switch {
	case errors.Is(err, store.ErrIdempotencyMismatch):
		return nil, &api.IdempotencyException{Message: ptr("The ClientRequestToken was already used for a different CreateJob request.")}
	case err != nil:
		return nil, err
	}
	if created {
		p.prep.add(job.Key())
	}
	return &api.CreateJobResult{JobId: ptr(got)}, nil
}

// requestHash identifies a CreateJob request by its content, token aside:
// the same token with the same request is a retry, with another request a
// conflict (spec §4.1 Idempotency [I]). encoding/json writes struct members
// in a fixed order and map keys sorted, so equal requests hash equally.
func requestHash(in *api.CreateJobRequest) ([]byte, error) {
	c := *in
	c.ClientRequestToken = nil
	b, err := json.Marshal(&c)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(b)
	return sum[:], nil
}

func storeTags(tags []api.S3Tag) []store.Tag {
	out := make([]store.Tag, len(tags))
	for i, t := range tags {
		out[i] = store.Tag{Key: deref(t.Key), Value: deref(t.Value)}
	}
	return out
}
