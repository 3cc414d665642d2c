package snowball

import (
	"slices"
	"time"

	api "github.com/jobplane/jobplane/internal/api/snowball"
	"github.com/jobplane/jobplane/internal/store"
)

// The simulated logistics lifecycle (spec §5.2, docs/snowball.md). Each job
// type moves through its sequence; every stage lasts the stage duration,
// except that WithCustomer waits for the customer (UpdateJobShipmentState
// RETURNED), a Pending export part waits for the part before it, an export
// main job follows its parts once they exist, and a cluster node waits in New
// until its cluster has a quorum of nodes. Each job stores when it entered
// its state and when it is due to leave it; settling replays every overdue
// transition at the time it fell due, so a server that was down for a week
// finds each job exactly where the clock says it is.

var sequences = map[api.JobType][]api.JobState{
	api.JobTypeIMPORT: {api.JobStateNew, api.JobStatePreparingAppliance, api.JobStatePreparingShipment,
		api.JobStateInTransitToCustomer, api.JobStateWithCustomer, api.JobStateInTransitToAWS,
		api.JobStateWithAWSSortingFacility, api.JobStateWithAWS, api.JobStateInProgress, api.JobStateComplete},
	api.JobTypeEXPORT: {api.JobStateNew, api.JobStatePreparingAppliance, api.JobStateInProgress,
		api.JobStatePreparingShipment, api.JobStateInTransitToCustomer, api.JobStateWithCustomer,
		api.JobStateInTransitToAWS, api.JobStateWithAWSSortingFacility, api.JobStateWithAWS, api.JobStateComplete},
	api.JobTypeLOCALUSE: {api.JobStateNew, api.JobStatePreparingAppliance, api.JobStatePreparingShipment,
		api.JobStateInTransitToCustomer, api.JobStateWithCustomer, api.JobStateInTransitToAWS,
		api.JobStateWithAWSSortingFacility, api.JobStateWithAWS, api.JobStateComplete},
}

// masterSequence is an export main job's: it lists the export's key ranges
// (Listing, spec §5.1 [inference]), then follows its parts.
var masterSequence = []api.JobState{api.JobStateNew, api.JobStateListing, api.JobStateInProgress, api.JobStateComplete}

func terminal(s string) bool {
	return s == string(api.JobStateComplete) || s == string(api.JobStateCancelled)
}

// sequenceOf returns the job's sequence.
func sequenceOf(j *store.SnowballJob) []api.JobState {
	if j.IsMaster {
		return masterSequence
	}
	return sequences[api.JobType(j.JobType)]
}

// stageIndex is the position of the job's state in its sequence, or -1.
func stageIndex(j *store.SnowballJob) int {
	return slices.Index(sequenceOf(j), api.JobState(j.State))
}

// reached reports whether the job is at or past state s in its sequence.
func reached(j *store.SnowballJob, s api.JobState) bool {
	i := stageIndex(j)
	return i >= 0 && i >= slices.Index(sequenceOf(j), s)
}

// deviceOut reports whether the job's device has left AWS and not yet come
// back (it is "in the field").
func deviceOut(j *store.SnowballJob) bool {
	return !j.IsMaster && reached(j, api.JobStateInTransitToCustomer) && !reached(j, api.JobStateInTransitToAWS)
}

// enter moves job i of g into state at time at and sets its due time.
func (p *Provider) enter(g *store.SnowballGroup, i int, state api.JobState, at time.Time) {
	j := &g.Jobs[i]
	j.State, j.StateSince, j.DueAt = string(state), at, time.Time{}
	if p.clockDriven(g, j) {
		j.DueAt = at.Add(p.opts.StageDuration)
	}
}

// clockDriven reports whether the job leaves its state when the stage time
// has passed.
func (p *Provider) clockDriven(g *store.SnowballGroup, j *store.SnowballJob) bool {
	switch api.JobState(j.State) {
	case api.JobStateWithCustomer, api.JobStatePending, api.JobStateComplete, api.JobStateCancelled:
		return false
	case api.JobStateNew:
		return g.Cluster == nil || clusterHasQuorum(g)
	case api.JobStateInProgress:
		return !j.IsMaster
	}
	return true
}

// settleGroup replays every transition of g due by now, each at its own due
// time, and reports whether anything changed.
func (p *Provider) settleGroup(g *store.SnowballGroup, now time.Time) bool {
	changed := false
	// Each job has at most a dozen stages; the bound only guards against a
	// rule that would loop.
	for range 64 * (len(g.Jobs) + 1) {
		next := -1
		for i := range g.Jobs {
			d := g.Jobs[i].DueAt
			if !d.IsZero() && !d.After(now) && (next < 0 || d.Before(g.Jobs[next].DueAt)) {
				next = i
			}
		}
		if next < 0 {
			break
		}
		p.step(g, next, g.Jobs[next].DueAt)
		changed = true
	}
	return changed
}

// step moves job i of g to its next state at time at and applies what
// follows for the rest of its group.
func (p *Provider) step(g *store.SnowballGroup, i int, at time.Time) {
	j := &g.Jobs[i]
	switch {
	case j.IsMaster && j.State == string(api.JobStateListing):
		p.createParts(g, i, at)
	case j.State == string(api.JobStatePending):
		p.enter(g, i, api.JobStateNew, at)
	default:
		seq := sequenceOf(j)
		k := slices.Index(seq, api.JobState(j.State))
		if k < 0 || k+1 >= len(seq) {
			j.DueAt = time.Time{}
			return
		}
		p.enter(g, i, seq[k+1], at)
	}
	p.reconcile(g, at)
}

// reconcile applies the rules that tie a group's jobs together: an export's
// next part starts when the previous one is on its way back and the main
// job ends with its parts; a cluster's nodes start once it has a quorum.
func (p *Provider) reconcile(g *store.SnowballGroup, at time.Time) {
	if g.Cluster != nil {
		if clusterHasQuorum(g) {
			for i := range g.Jobs {
				j := &g.Jobs[i]
				if j.State == string(api.JobStateNew) && j.DueAt.IsZero() {
					j.DueAt = at.Add(p.opts.StageDuration)
				}
			}
		}
		g.Cluster.State = string(clusterState(g))
		return
	}
	master := -1
	for i := range g.Jobs {
		if g.Jobs[i].IsMaster {
			master = i
		}
	}
	if master < 0 || terminal(g.Jobs[master].State) {
		return
	}
	parts, done, cancelled := 0, 0, 0
	released := true // the part before the current one is on its way back
	for i := range g.Jobs {
		j := &g.Jobs[i]
		if j.IsMaster {
			continue
		}
		parts++
		if j.State == string(api.JobStatePending) && released {
			p.enter(g, i, api.JobStateNew, at)
		}
		released = terminal(j.State) || reached(j, api.JobStateInTransitToAWS)
		if terminal(j.State) {
			done++
		}
		if j.State == string(api.JobStateCancelled) {
			cancelled++
		}
	}
	if parts > 0 && done == parts {
		end := api.JobStateComplete
		if cancelled == parts {
			end = api.JobStateCancelled
		}
		p.enter(g, master, end, at)
	}
}

// createParts ends an export main job's listing: one job part per S3
// resource of the export (each holds what one device can carry,
// docs/snowball.md), the first ready to start, the others Pending.
func (p *Provider) createParts(g *store.SnowballGroup, master int, at time.Time) {
	m := g.Jobs[master]
	doc, err := decodeJob(&m)
	if err != nil {
		p.log.Error("snowball: export main job document", "job", m.ID, "error", err)
		doc = &jobDoc{}
	}
	var ranges []api.S3Resource
	if doc.Resources != nil {
		ranges = doc.Resources.S3Resources
	}
	if len(ranges) == 0 {
		ranges = []api.S3Resource{{}}
	}
	for n, r := range ranges {
		part := *doc
		part.Part = n + 1
		part.Label = nil
		part.Resources = &api.JobResource{S3Resources: []api.S3Resource{r}}
		if r.BucketArn == nil {
			part.Resources = nil
		}
		job := store.SnowballJob{Account: m.Account, ID: newID("JID"), GroupID: g.ID, JobType: m.JobType,
			SnowballType: m.SnowballType, Description: m.Description, State: string(api.JobStatePending),
			CreatedAt: at.Add(time.Duration(n)), StateSince: at, LongTermPricingID: m.LongTermPricingID, Data: part.encode()}
		g.Jobs = append(g.Jobs, job)
	}
	p.enter(g, master, api.JobStateInProgress, at)
}

// clusterHasQuorum reports whether a cluster has enough live nodes to start.
func clusterHasQuorum(g *store.SnowballGroup) bool {
	if g.Cluster == nil || g.Cluster.State == string(api.ClusterStateCancelled) {
		return false
	}
	d, ok := deviceOf(api.SnowballType(clusterSnowballType(g)))
	return ok && liveNodes(g) >= d.minNodes
}

func clusterSnowballType(g *store.SnowballGroup) string {
	doc, err := decodeCluster(g.Cluster)
	if err != nil || doc.SnowballType == nil {
		return ""
	}
	return string(*doc.SnowballType)
}

func liveNodes(g *store.SnowballGroup) int {
	n := 0
	for i := range g.Jobs {
		if g.Jobs[i].State != string(api.JobStateCancelled) {
			n++
		}
	}
	return n
}

// clusterState derives a cluster's state from its nodes (spec §6).
func clusterState(g *store.SnowballGroup) api.ClusterState {
	if g.Cluster.State == string(api.ClusterStateCancelled) {
		return api.ClusterStateCancelled
	}
	live, started, out, complete := 0, 0, 0, 0
	for i := range g.Jobs {
		j := &g.Jobs[i]
		if j.State == string(api.JobStateCancelled) {
			continue
		}
		live++
		if j.State != string(api.JobStateNew) {
			started++
		}
		if reached(j, api.JobStateWithCustomer) && !terminal(j.State) {
			out++
		}
		if j.State == string(api.JobStateComplete) {
			complete++
		}
	}
	switch {
	case !clusterHasQuorum(g) || started == 0:
		return api.ClusterStateAwaitingQuorum
	case complete == live:
		return api.ClusterStateComplete
	case out > 0:
		return api.ClusterStateInUse
	}
	return api.ClusterStatePending
}

// advance is the jobplane endpoint's transition: it moves the job to its
// next state now, whatever its due time, with the customer's part played
// for WithCustomer (the device is sent back).
func (p *Provider) advance(g *store.SnowballGroup, i int, now time.Time) error {
	j := &g.Jobs[i]
	switch {
	case terminal(j.State):
		return invalidState("The job %s is %s and has no next state.", j.ID, j.State)
	case j.IsMaster && j.State == string(api.JobStateInProgress):
		return invalidState("The export job %s follows its job parts: advance a part instead.", j.ID)
	}
	p.step(g, i, now)
	return nil
}
