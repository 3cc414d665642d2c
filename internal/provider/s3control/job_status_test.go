package s3control

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	api "github.com/jobplane/jobplane/internal/api/s3control"
	"github.com/jobplane/jobplane/internal/store"
)

func TestTheTableCoversTheWholeCatalogue(t *testing.T) {
	if len(transitions) != len(allStatuses) || len(api.JobStatus("").Values()) != len(allStatuses) {
		t.Fatalf("the table has %d statuses, the catalogue %d, the model %d", len(transitions), len(allStatuses), len(api.JobStatus("").Values()))
	}
	for _, s := range allStatuses {
		edges, ok := transitions[s]
		if !ok {
			t.Errorf("status %s is missing from the table", s)
		}
		for to, who := range edges {
			if _, ok := transitions[to]; !ok || who == 0 {
				t.Errorf("edge %s → %s leads outside the catalogue or has no actor", s, to)
			}
		}
	}
	for _, s := range []api.JobStatus{"Complete", "Cancelled", "Failed"} {
		if !Terminal(s) {
			t.Errorf("%s is not terminal", s)
		}
	}
}

func TestEveryUserRequestFollowsAnEdgeTheUserMayTake(t *testing.T) {
	for requested, byStatus := range userRequests {
		for from, to := range byStatus {
			if from != to && !Allowed(from, to, ActorUser) {
				t.Errorf("UpdateJobStatus(%s) from %s leads to %s, which the table does not allow the user", requested, from, to)
			}
		}
	}
}

func TestEveryStatusIsReachableFromNewAndEveryJobCanEnd(t *testing.T) {
	reach := func(from api.JobStatus) map[api.JobStatus]bool {
		seen := map[api.JobStatus]bool{from: true}
		queue := []api.JobStatus{from}
		for len(queue) > 0 {
			s := queue[0]
			queue = queue[1:]
			for to := range transitions[s] {
				if !seen[to] {
					seen[to] = true
					queue = append(queue, to)
				}
			}
		}
		return seen
	}
	fromNew := reach(sNew)
	for _, s := range allStatuses {
		if !fromNew[s] {
			t.Errorf("%s cannot be reached from New", s)
		}
		r := reach(s)
		if !r[sComplete] && !r[sCancelled] && !r[sFailed] {
			t.Errorf("a job in %s can never end", s)
		}
	}
}

// TestUpdateJobStatusFromEveryStatus checks every requested status against
// every current status, with the expected outcome written out from the
// issue and spec §5.3, independently of the table.
func TestUpdateJobStatusFromEveryStatus(t *testing.T) {
	// want[requested][current] is the resulting status; absent means
	// JobStatusException.
	want := map[api.RequestedJobStatus]map[api.JobStatus]api.JobStatus{
		"Ready": {"Suspended": "Ready"},
		"Cancelled": {
			"New": "Cancelled", "Preparing": "Cancelled", "Suspended": "Cancelled", "Ready": "Cancelled",
			"Active": "Cancelling", "Pausing": "Cancelling", "Paused": "Cancelling", "Completing": "Cancelling",
			"Cancelling": "Cancelling", "Failing": "Failing",
		},
	}
	e := newEnv(t, false)
	for _, requested := range []api.RequestedJobStatus{"Ready", "Cancelled"} {
		for _, current := range allStatuses {
			to, ok := want[requested][current]
			name := fmt.Sprintf("%s from %s is refused", requested, current)
			if ok {
				name = fmt.Sprintf("%s from %s leads to %s", requested, current, to)
			}
			t.Run(name, func(t *testing.T) {
				id := e.seed(t, account, current)
				out, err := e.p.UpdateJobStatus(ctx(), &api.UpdateJobStatusRequest{
					AccountId: ptr(account), JobId: ptr(id), RequestedJobStatus: ptr(requested), StatusUpdateReason: ptr("because"),
				})
				got := e.status(t, id)
				if !ok {
					if code := errorCode(err); code != "JobStatusException" {
						t.Fatalf("error %q, want JobStatusException", code)
					}
					if got != current {
						t.Fatalf("a refused request moved the job to %s", got)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if *out.Status != to || got != to || *out.JobId != id || deref(out.StatusUpdateReason) != "because" {
					t.Fatalf("answer %+v and status %s, want %s", out, got, to)
				}
			})
		}
	}
}

// TestEngineTransitionsBetweenEveryPairOfStatuses tries every edge of the
// catalogue's square as the engine, with the engine's edges written out
// independently of the table.
func TestEngineTransitionsBetweenEveryPairOfStatuses(t *testing.T) {
	engine := map[api.JobStatus][]api.JobStatus{
		"Ready":      {"Active", "Failing"},
		"Active":     {"Pausing", "Completing", "Failing"},
		"Pausing":    {"Paused", "Failing"},
		"Paused":     {"Active", "Failing"},
		"Completing": {"Complete", "Failing"},
		"Cancelling": {"Cancelled", "Failing"},
		"Failing":    {"Failed"},
	}
	e := newEnv(t, false)
	for _, from := range allStatuses {
		for _, to := range allStatuses {
			allowed := slices.Contains(engine[from], to)
			t.Run(fmt.Sprintf("%s to %s allowed %v", from, to, allowed), func(t *testing.T) {
				if Allowed(from, to, ActorEngine) != allowed {
					t.Fatalf("Allowed = %v", !allowed)
				}
				id := e.seed(t, account, from)
				job, err := e.p.Transition(ctx(), account, id, Transition{From: from, To: to, Reason: "engine"})
				if !allowed {
					if !errors.Is(err, ErrNotAllowed) {
						t.Fatalf("error %v, want ErrNotAllowed", err)
					}
					if got := e.status(t, id); got != from {
						t.Fatalf("a refused transition moved the job to %s", got)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if *job.Descriptor.Status != to || e.status(t, id) != to {
					t.Fatalf("status %s, want %s", *job.Descriptor.Status, to)
				}
			})
		}
	}
}

func TestOnlyTheirOwnActorsTakeTheControlAndClockEdges(t *testing.T) {
	tests := []struct {
		from, to api.JobStatus
		actor    Actor
	}{
		{"New", "Preparing", ActorControl},
		{"Preparing", "Suspended", ActorControl},
		{"Preparing", "Ready", ActorControl},
		{"Preparing", "Failing", ActorControl},
		{"Failing", "Failed", ActorControl},
		{"Suspended", "Failed", ActorClock},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s to %s is the %s's", tt.from, tt.to, tt.actor), func(t *testing.T) {
			for _, a := range []Actor{ActorUser, ActorControl, ActorEngine, ActorClock} {
				want := a == tt.actor || (tt.from == "Failing" && a == ActorEngine)
				if Allowed(tt.from, tt.to, a) != want {
					t.Errorf("Allowed(%s) = %v, want %v", a, !want, want)
				}
			}
		})
	}
}

func TestAStaleEngineTransitionIsRefusedAndChangesNothing(t *testing.T) {
	e := newEnv(t, false)
	id := e.seed(t, account, sActive)
	if _, err := e.p.UpdateJobStatus(ctx(), &api.UpdateJobStatusRequest{AccountId: ptr(account), JobId: ptr(id), RequestedJobStatus: ptr(api.RequestedJobStatusCancelled)}); err != nil {
		t.Fatal(err)
	}
	// The engine still believes the job Active and tries to complete it.
	_, err := e.p.Transition(ctx(), account, id, Transition{From: sActive, To: sCompleting})
	if !errors.Is(err, ErrStatusChanged) {
		t.Fatalf("error %v, want ErrStatusChanged", err)
	}
	if got := e.status(t, id); got != sCancelling {
		t.Fatalf("status %s, want Cancelling", got)
	}
}

func TestEnteringAStatusRecordsWhatAWSShows(t *testing.T) {
	at := t0.Add(time.Hour)
	tests := []struct {
		name string
		cur  store.JobState
		to   api.JobStatus
		fx   effects
		want store.JobState
	}{
		{"suspension records its date and cause", store.JobState{Status: "Preparing"}, sSuspended, effects{SuspendedCause: "c"},
			store.JobState{Status: "Suspended", SuspendedAt: at, SuspendedCause: "c"}},
		{"confirmation keeps the suspension date", store.JobState{Status: "Suspended", SuspendedAt: t0, SuspendedCause: "c"}, sReady, effects{Reason: "go"},
			store.JobState{Status: "Ready", SuspendedAt: t0, SuspendedCause: "c", StatusUpdateReason: "go"}},
		{"starting records when the job became active", store.JobState{Status: "Ready", ActiveSeconds: 4}, sActive, effects{},
			store.JobState{Status: "Active", ActiveSeconds: 4, ActiveSince: at}},
		{"leaving Active adds the whole seconds spent", store.JobState{Status: "Active", ActiveSeconds: 4, ActiveSince: at.Add(-90500 * time.Millisecond)}, sPausing, effects{},
			store.JobState{Status: "Pausing", ActiveSeconds: 94}},
		{"a terminal status records its date and keeps the reason", store.JobState{Status: "Cancelling", StatusUpdateReason: "r"}, sCancelled, effects{},
			store.JobState{Status: "Cancelled", StatusUpdateReason: "r", TerminatedAt: at}},
		{"failure reasons accumulate", store.JobState{Status: "Active", ActiveSince: at, FailureReasons: []store.JobFailure{{Code: "A", Reason: "a"}}}, sFailing,
			effects{FailureReasons: []store.JobFailure{{Code: "B", Reason: "b"}}},
			store.JobState{Status: "Failing", FailureReasons: []store.JobFailure{{Code: "A", Reason: "a"}, {Code: "B", Reason: "b"}}}},
		{"an explicit time wins over now", store.JobState{Status: "Suspended", SuspendedAt: t0}, sFailed, effects{At: t0.Add(time.Minute)},
			store.JobState{Status: "Failed", SuspendedAt: t0, TerminatedAt: t0.Add(time.Minute)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := enter(tt.cur, tt.to, at, tt.fx)
			if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", tt.want) {
				t.Fatalf("enter =\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
}
