package s3control

import (
	"encoding/json"
	"fmt"
	"reflect"
	"time"

	api "github.com/jobplane/jobplane/internal/api/s3control"
	"github.com/jobplane/jobplane/internal/store"
)

// specVersion is the version of the request document below; a later
// jobplane reading an older document knows what it holds.
const specVersion = 1

// jobSpec is the part of the CreateJob request DescribeJob returns, kept as
// the store's opaque document. It is immutable once the job exists. The
// members are the generated API types, encoded with encoding/json under their
// model names, so that a member the model adds later is kept without a
// migration.
type jobSpec struct {
	V                    int                       `json:"v"`
	ConfirmationRequired *bool                     `json:"ConfirmationRequired,omitempty"`
	Operation            *api.JobOperation         `json:"Operation,omitempty"`
	Report               *api.JobReport            `json:"Report,omitempty"`
	Manifest             *api.JobManifest          `json:"Manifest,omitempty"`
	ManifestGenerator    *api.JobManifestGenerator `json:"ManifestGenerator,omitempty"`
	RoleArn              *string                   `json:"RoleArn,omitempty"`
}

func encodeSpec(in *api.CreateJobRequest) ([]byte, error) {
	return json.Marshal(jobSpec{
		V: specVersion, ConfirmationRequired: in.ConfirmationRequired, Operation: in.Operation,
		Report: in.Report, Manifest: in.Manifest, ManifestGenerator: in.ManifestGenerator, RoleArn: in.RoleArn,
	})
}

func decodeSpec(job *store.Job) (*jobSpec, error) {
	var s jobSpec
	if err := json.Unmarshal(job.Spec, &s); err != nil {
		return nil, fmt.Errorf("s3control: request document of job %s: %w", job.ID, err)
	}
	if s.V != specVersion {
		return nil, fmt.Errorf("s3control: request document of job %s has version %d, this jobplane knows %d", job.ID, s.V, specVersion)
	}
	return &s, nil
}

// confirmationRequired is the effective ConfirmationRequired: absent means
// true, as the real service treats it (spec §4.1, aws-sdk-go-v2#1814).
func (s *jobSpec) confirmationRequired() bool {
	return s.ConfirmationRequired == nil || *s.ConfirmationRequired
}

// OperationName returns the name of the one member of op that is set, which
// is also its OperationName enum value (the model names them alike), and
// how many members are set. The name is "" unless exactly one is.
func OperationName(op *api.JobOperation) (name string, count int) {
	if op == nil {
		return "", 0
	}
	v := reflect.ValueOf(op).Elem()
	for i := range v.NumField() {
		if !v.Field(i).IsNil() {
			name = v.Type().Field(i).Name
			count++
		}
	}
	if count != 1 {
		name = ""
	}
	return name, count
}

// describe builds the DescribeJob view of a job at time now.
func describe(job *store.Job, now time.Time) (*api.JobDescriptor, error) {
	spec, err := decodeSpec(job)
	if err != nil {
		return nil, err
	}
	st := &job.State
	d := &api.JobDescriptor{
		JobId:                ptr(job.ID),
		ConfirmationRequired: ptr(spec.confirmationRequired()),
		JobArn:               ptr(job.ARN),
		Status:               ptr(api.JobStatus(st.Status)),
		Manifest:             spec.Manifest,
		Operation:            spec.Operation,
		Priority:             ptr(job.Priority),
		ProgressSummary:      progressSummary(job.Progress, st.ActiveSeconds, st.ActiveSince, st.Status, now),
		// AWS writes an empty FailureReasons list for a job without
		// failures (awscli examples/s3control/describe-job.rst).
		FailureReasons:    make([]api.JobFailure, 0, len(st.FailureReasons)),
		Report:            spec.Report,
		CreationTime:      ptr(job.CreatedAt),
		RoleArn:           spec.RoleArn,
		ManifestGenerator: spec.ManifestGenerator,
	}
	if job.Description != "" {
		d.Description = ptr(job.Description)
	}
	if st.StatusUpdateReason != "" {
		d.StatusUpdateReason = ptr(st.StatusUpdateReason)
	}
	for _, f := range st.FailureReasons {
		d.FailureReasons = append(d.FailureReasons, api.JobFailure{FailureCode: ptr(f.Code), FailureReason: ptr(f.Reason)})
	}
	if !st.TerminatedAt.IsZero() {
		d.TerminationDate = ptr(st.TerminatedAt)
	}
	if !st.SuspendedAt.IsZero() {
		d.SuspendedDate = ptr(st.SuspendedAt)
	}
	if st.SuspendedCause != "" {
		d.SuspendedCause = ptr(st.SuspendedCause)
	}
	if job.GeneratedManifest != nil {
		var g api.S3GeneratedManifestDescriptor
		if err := json.Unmarshal(job.GeneratedManifest, &g); err != nil {
			return nil, fmt.Errorf("s3control: generated manifest of job %s: %w", job.ID, err)
		}
		d.GeneratedManifestDescriptor = &g
	}
	return d, nil
}

// summarizeAll builds the ListJobs view of jobs at time now. The members of
// the generated types are pointers; the values they point to are allocated
// a page at a time, not one by one, which matters at 1,000 items a page.
func summarizeAll(jobs []store.JobSummary, now time.Time) []api.JobListDescriptor {
	n := len(jobs)
	var (
		out        = make([]api.JobListDescriptor, n)
		ops        = make([]api.OperationName, n)
		statuses   = make([]api.JobStatus, n)
		priorities = make([]int32, n)
		times      = make([]time.Time, 2*n)
		progress   = make([]api.JobProgressSummary, n)
		timers     = make([]api.JobTimers, n)
		counters   = make([]int64, 4*n)
	)
	for i := range jobs {
		s := &jobs[i]
		ops[i], statuses[i], priorities[i] = api.OperationName(s.Operation), api.JobStatus(s.Status), s.Priority
		times[2*i] = s.CreatedAt
		c := counters[4*i : 4*i+4]
		c[0], c[1], c[2], c[3] = s.Progress.TotalTasks, s.Progress.Succeeded, s.Progress.Failed,
			elapsedActive(s.ActiveSeconds, s.ActiveSince, s.Status, now)
		timers[i].ElapsedTimeInActiveSeconds = &c[3]
		progress[i] = api.JobProgressSummary{TotalNumberOfTasks: &c[0], NumberOfTasksSucceeded: &c[1], NumberOfTasksFailed: &c[2], Timers: &timers[i]}
		d := &out[i]
		d.JobId, d.Operation, d.Priority, d.Status = &s.ID, &ops[i], &priorities[i], &statuses[i]
		d.CreationTime, d.ProgressSummary = &times[2*i], &progress[i]
		if s.Description != "" {
			d.Description = &s.Description
		}
		if !s.TerminatedAt.IsZero() {
			times[2*i+1] = s.TerminatedAt
			d.TerminationDate = &times[2*i+1]
		}
	}
	return out
}

// progressSummary is always present, with zeros before the job has tasks
// (as in the AWS CLI list-jobs example of a failed job).
func progressSummary(p store.JobProgress, activeSeconds int64, activeSince time.Time, status string, now time.Time) *api.JobProgressSummary {
	return &api.JobProgressSummary{
		TotalNumberOfTasks:     ptr(p.TotalTasks),
		NumberOfTasksSucceeded: ptr(p.Succeeded),
		NumberOfTasksFailed:    ptr(p.Failed),
		Timers:                 &api.JobTimers{ElapsedTimeInActiveSeconds: ptr(elapsedActive(activeSeconds, activeSince, status, now))},
	}
}

// elapsedActive is ElapsedTimeInActiveSeconds: the seconds spent Active
// before, plus the current stretch while the job is Active.
func elapsedActive(activeSeconds int64, activeSince time.Time, status string, now time.Time) int64 {
	if status == string(sActive) && !activeSince.IsZero() && now.After(activeSince) {
		activeSeconds += int64(now.Sub(activeSince) / time.Second)
	}
	return activeSeconds
}
