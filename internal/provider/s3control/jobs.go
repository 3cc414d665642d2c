package s3control

import (
	"context"
	"fmt"

	api "github.com/jobplane/jobplane/internal/api/s3control"
	"github.com/jobplane/jobplane/internal/store"
)

// DescribeJob implements api.Service.
func (p *Provider) DescribeJob(ctx context.Context, in *api.DescribeJobRequest) (*api.DescribeJobResult, error) {
	job, err := p.load(ctx, deref(in.AccountId), deref(in.JobId))
	if err != nil {
		return nil, err
	}
	d, err := describe(job, p.now())
	if err != nil {
		return nil, err
	}
	return &api.DescribeJobResult{Job: d}, nil
}

// UpdateJobPriority implements api.Service. Any job that is still visible
// may be reprioritised (spec §10.2: also while it runs) [I: also once it
// has ended, where the priority no longer matters]; the engine hears of the
// change when it owns the job.
func (p *Provider) UpdateJobPriority(ctx context.Context, in *api.UpdateJobPriorityRequest) (*api.UpdateJobPriorityResult, error) {
	account, id := deref(in.AccountId), deref(in.JobId)
	if _, err := p.load(ctx, account, id); err != nil {
		return nil, err
	}
	job, err := p.jobs.SetJobPriority(ctx, account, id, deref(in.Priority))
	if err != nil {
		return nil, p.storeErr(err)
	}
	if engineOwns(api.JobStatus(job.State.Status)) {
		p.scheduler.Reprioritize(ctx, ref(job))
	}
	return &api.UpdateJobPriorityResult{JobId: ptr(job.ID), Priority: ptr(job.Priority)}, nil
}

// UpdateJobStatus implements api.Service: the account confirms a Suspended
// job (Ready) or cancels a job (Cancelled), as the userRequests table of
// job_status.go allows; anything else is a JobStatusException.
func (p *Provider) UpdateJobStatus(ctx context.Context, in *api.UpdateJobStatusRequest) (*api.UpdateJobStatusResult, error) {
	account, id := deref(in.AccountId), deref(in.JobId)
	requested := deref(in.RequestedJobStatus)
	reason := deref(in.StatusUpdateReason)
	var from api.JobStatus
	job, err := p.change(ctx, account, id, ActorUser, func(job *store.Job) (api.JobStatus, effects, error) {
		from = api.JobStatus(job.State.Status)
		to, ok := userRequests[requested][from]
		if !ok {
			return "", effects{}, jobStatusError(id, from, requested)
		}
		return to, effects{Reason: reason}, nil
	})
	if err != nil {
		// ErrNotAllowed here means userRequests and transitions disagree:
		// a bug the tests catch.
		return nil, err
	}
	status := api.JobStatus(job.State.Status)
	switch {
	case status == sReady && from == sSuspended:
		p.scheduler.Submit(ctx, ref(job))
	case status == sCancelling && from != sCancelling, status == sCancelled && engineOwns(from):
		p.scheduler.Cancel(ctx, ref(job))
	}
	out := &api.UpdateJobStatusResult{JobId: ptr(job.ID), Status: ptr(status)}
	if in.StatusUpdateReason != nil {
		out.StatusUpdateReason = ptr(reason)
	}
	return out, nil
}

// jobStatusError is the answer to a status request the job's status does
// not allow (spec §5.3; the message is jobplane's [I]).
func jobStatusError(id string, current api.JobStatus, requested api.RequestedJobStatus) error {
	var msg string
	switch {
	case Terminal(current):
		msg = fmt.Sprintf("Job %s is %s and can no longer change status.", id, current)
	case requested == api.RequestedJobStatusReady:
		msg = fmt.Sprintf("Job %s is %s; only a Suspended job can be moved to Ready.", id, current)
	default:
		msg = fmt.Sprintf("Job %s is %s and cannot be moved to %s.", id, current, requested)
	}
	return &api.JobStatusException{Message: ptr(msg)}
}
