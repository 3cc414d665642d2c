package s3control

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	api "github.com/jobplane/jobplane/internal/api/s3control"
	"github.com/jobplane/jobplane/internal/store"
)

// This file implements Control, the engine's side of the seam (engine.go).

// Job implements Control.
func (p *Provider) Job(ctx context.Context, accountID, jobID string) (*Job, error) {
	job, err := p.load(ctx, accountID, jobID)
	if err != nil {
		return nil, err
	}
	return p.engineJob(job)
}

func (p *Provider) engineJob(job *store.Job) (*Job, error) {
	d, err := describe(job, p.now())
	if err != nil {
		return nil, err
	}
	return &Job{AccountID: job.AccountID, Descriptor: d}, nil
}

// Transition implements Control.
func (p *Provider) Transition(ctx context.Context, accountID, jobID string, t Transition) (*Job, error) {
	if !Allowed(t.From, t.To, ActorEngine) {
		return nil, fmt.Errorf("%w: %s → %s by the %s", ErrNotAllowed, t.From, t.To, ActorEngine)
	}
	job, err := p.change(ctx, accountID, jobID, ActorEngine, func(job *store.Job) (api.JobStatus, effects, error) {
		if job.State.Status != string(t.From) {
			return "", effects{}, fmt.Errorf("%w: job %s is %s, not %s", ErrStatusChanged, jobID, job.State.Status, t.From)
		}
		return t.To, effects{Reason: t.Reason, FailureReasons: storeFailures(t.FailureReasons)}, nil
	})
	if err != nil {
		return nil, err
	}
	return p.engineJob(job)
}

// ResumeActive implements Control.
func (p *Provider) ResumeActive(ctx context.Context, accountID, jobID string, stoppedAt time.Time) error {
	_, err := p.updateState(ctx, accountID, jobID, p.load, func(job *store.Job) (*store.JobState, error) {
		if job.State.Status != string(sActive) {
			return nil, fmt.Errorf("%w: job %s is %s, not %s", ErrStatusChanged, jobID, job.State.Status, sActive)
		}
		next := job.State
		now := p.now()
		end := stoppedAt
		if end.After(now) {
			end = now
		}
		if !next.ActiveSince.IsZero() && end.After(next.ActiveSince) {
			next.ActiveSeconds += int64(end.Sub(next.ActiveSince) / time.Second)
		}
		next.ActiveSince = now
		return &next, nil
	})
	return err
}

// SetProgress implements Control.
func (p *Provider) SetProgress(ctx context.Context, accountID, jobID string, pr Progress) error {
	if pr.TotalTasks < 0 || pr.Succeeded < 0 || pr.Failed < 0 {
		return errors.New("s3control: negative task counters")
	}
	err := p.jobs.SetJobProgress(ctx, accountID, jobID, store.JobProgress{TotalTasks: pr.TotalTasks, Succeeded: pr.Succeeded, Failed: pr.Failed})
	return p.storeErr(err)
}

// SetGeneratedManifest implements Control.
func (p *Provider) SetGeneratedManifest(ctx context.Context, accountID, jobID string, d *api.S3GeneratedManifestDescriptor) error {
	var doc []byte
	if d != nil {
		var err error
		if doc, err = json.Marshal(d); err != nil {
			return err
		}
	}
	return p.storeErr(p.jobs.SetGeneratedManifest(ctx, accountID, jobID, doc))
}

func storeFailures(fs []api.JobFailure) []store.JobFailure {
	if len(fs) == 0 {
		return nil
	}
	out := make([]store.JobFailure, len(fs))
	for i, f := range fs {
		out[i] = store.JobFailure{Code: deref(f.FailureCode), Reason: deref(f.FailureReason)}
	}
	return out
}
