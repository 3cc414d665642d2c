package s3control

import (
	"time"

	api "github.com/jobplane/jobplane/internal/api/s3control"
	"github.com/jobplane/jobplane/internal/store"
)

// This file is the job state machine: every status of the catalogue
// (spec/s3-batch-operations.md §5.1), every edge between them with who may
// take it, what UpdateJobStatus requests map to, and what entering a status
// records. Every status change in jobplane, whoever causes it, goes through
// these tables (Provider.change checks them and persists the change with a
// compare-and-swap on the status read).

// Actor is who may take an edge of the state machine.
type Actor uint8

// The actors.
const (
	// ActorUser is the account, through UpdateJobStatus.
	ActorUser Actor = 1 << iota
	// ActorControl is the control plane: it prepares jobs (New → Preparing
	// → Suspended, Ready or Failing) and finishes failures it found.
	ActorControl
	// ActorEngine is the job-execution engine behind the Scheduler: it
	// runs Ready jobs and reports their progress.
	ActorEngine
	// ActorClock is the lifecycle clock: a job left Suspended too long fails.
	ActorClock
)

func (a Actor) String() string {
	switch a {
	case ActorUser:
		return "user"
	case ActorControl:
		return "control plane"
	case ActorEngine:
		return "engine"
	case ActorClock:
		return "lifecycle clock"
	}
	return "actors"
}

// Short names for the table below.
const (
	sNew        = api.JobStatusNew
	sPreparing  = api.JobStatusPreparing
	sSuspended  = api.JobStatusSuspended
	sReady      = api.JobStatusReady
	sActive     = api.JobStatusActive
	sPausing    = api.JobStatusPausing
	sPaused     = api.JobStatusPaused
	sCompleting = api.JobStatusCompleting
	sComplete   = api.JobStatusComplete
	sCancelling = api.JobStatusCancelling
	sCancelled  = api.JobStatusCancelled
	sFailing    = api.JobStatusFailing
	sFailed     = api.JobStatusFailed
)

// transitions is the state machine: from each status, the statuses it may
// move to and the actors allowed to move it there. A status with no edges is
// terminal. Edges follow the diagram of spec §5.2; the [I] choices are that
// transitional statuses (Pausing, Completing, Cancelling, Failing) are never
// skipped by the engine, and that the engine may fail a job from any status
// it owns.
var transitions = map[api.JobStatus]map[api.JobStatus]Actor{
	sNew:        {sPreparing: ActorControl, sCancelled: ActorUser},
	sPreparing:  {sSuspended: ActorControl, sReady: ActorControl, sFailing: ActorControl, sCancelled: ActorUser},
	sSuspended:  {sReady: ActorUser, sCancelled: ActorUser, sFailed: ActorClock},
	sReady:      {sActive: ActorEngine, sFailing: ActorEngine, sCancelled: ActorUser},
	sActive:     {sPausing: ActorEngine, sCompleting: ActorEngine, sFailing: ActorEngine, sCancelling: ActorUser},
	sPausing:    {sPaused: ActorEngine, sFailing: ActorEngine, sCancelling: ActorUser},
	sPaused:     {sActive: ActorEngine, sFailing: ActorEngine, sCancelling: ActorUser},
	sCompleting: {sComplete: ActorEngine, sFailing: ActorEngine, sCancelling: ActorUser},
	sCancelling: {sCancelled: ActorEngine, sFailing: ActorEngine},
	sFailing:    {sFailed: ActorControl | ActorEngine},
	sComplete:   {},
	sCancelled:  {},
	sFailed:     {},
}

// userRequests maps UpdateJobStatus's RequestedJobStatus and the job's
// current status to the status the job moves to. A pair that is absent is a
// JobStatusException. Where the target equals the current status the request
// is accepted and changes nothing. Per the issue and spec §5.3: Ready only
// from Suspended; Cancelled from every non-terminal status, directly before
// the job runs and through Cancelling once it runs. [I] A job already
// Cancelling stays Cancelling; a job already Failing keeps failing (its
// failure was decided before the request).
var userRequests = map[api.RequestedJobStatus]map[api.JobStatus]api.JobStatus{
	api.RequestedJobStatusReady: {sSuspended: sReady},
	api.RequestedJobStatusCancelled: {
		sNew: sCancelled, sPreparing: sCancelled, sSuspended: sCancelled, sReady: sCancelled,
		sActive: sCancelling, sPausing: sCancelling, sPaused: sCancelling, sCompleting: sCancelling,
		sCancelling: sCancelling, sFailing: sFailing,
	},
}

// engineStatuses are the statuses in which the engine owns a job: the
// control plane hands the job over on entering Ready and hands every such
// job over again at start.
var engineStatuses = []api.JobStatus{sReady, sActive, sPausing, sPaused, sCompleting, sCancelling, sFailing}

// preparingStatuses are the statuses the control plane resumes at start.
var preparingStatuses = []api.JobStatus{sNew, sPreparing}

// Allowed reports whether actor may move a job from one status to another.
func Allowed(from, to api.JobStatus, actor Actor) bool {
	return transitions[from][to]&actor != 0
}

// Terminal reports whether status is final (Complete, Cancelled, Failed).
func Terminal(status api.JobStatus) bool {
	edges, known := transitions[status]
	return known && len(edges) == 0
}

// engineOwns reports whether the engine runs a job in status.
func engineOwns(status api.JobStatus) bool {
	for _, s := range engineStatuses {
		if s == status {
			return true
		}
	}
	return false
}

// effects are what a status change records besides the status.
type effects struct {
	// Reason, when not empty, becomes the StatusUpdateReason.
	Reason string
	// SuspendedCause is recorded when the job enters Suspended.
	SuspendedCause string
	// FailureReasons are added to the job's failure reasons.
	FailureReasons []store.JobFailure
	// At, when not zero, is when the change happened, instead of now (the
	// lifecycle clock fails a job at the moment its time ran out).
	At time.Time
}

// enter returns the state of a job moving from cur to status at time at:
// TerminationDate when it reaches a terminal status, SuspendedDate and
// SuspendedCause when it is suspended (kept afterwards, as DescribeJob
// shows the date "if it has been suspended"), and the time spent Active
// (spec §10.1 Timers) accumulated when it leaves Active.
func enter(cur store.JobState, status api.JobStatus, at time.Time, fx effects) store.JobState {
	if !fx.At.IsZero() {
		at = fx.At
	}
	next := cur
	next.Status = string(status)
	next.FailureReasons = append(append([]store.JobFailure(nil), cur.FailureReasons...), fx.FailureReasons...)
	if len(next.FailureReasons) == 0 {
		next.FailureReasons = nil
	}
	if fx.Reason != "" {
		next.StatusUpdateReason = fx.Reason
	}
	if cur.Status == string(sActive) && status != sActive && !cur.ActiveSince.IsZero() {
		if d := at.Sub(cur.ActiveSince); d > 0 {
			next.ActiveSeconds += int64(d / time.Second)
		}
		next.ActiveSince = time.Time{}
	}
	switch {
	case status == sActive && cur.Status != string(sActive):
		next.ActiveSince = at
	case status == sSuspended:
		next.SuspendedAt, next.SuspendedCause = at, fx.SuspendedCause
	case Terminal(status):
		next.TerminatedAt = at
	}
	return next
}
