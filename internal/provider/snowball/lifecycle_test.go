package snowball

import (
	"testing"
	"time"

	api "github.com/jobplane/jobplane/internal/api/snowball"
)

func TestAnImportJobFollowsTheClockAndWaitsForTheCustomer(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	id := h.job(api.JobTypeIMPORT, api.SnowballTypeV35S, "import-bucket")
	for _, want := range []api.JobState{api.JobStateNew, api.JobStatePreparingAppliance, api.JobStatePreparingShipment,
		api.JobStateInTransitToCustomer, api.JobStateWithCustomer} {
		h.wantState(id, want)
		h.clock.Advance(stage)
	}
	// The device stays with the customer, however long.
	h.clock.Advance(30 * stage)
	h.wantState(id, api.JobStateWithCustomer)
	m := h.describe(id).JobMetadata
	if m.SnowballId == nil || m.ShippingDetails.OutboundShipment == nil || *m.ShippingDetails.OutboundShipment.Status != "Delivered" {
		t.Fatalf("a delivered job's metadata: %+v", m)
	}
	if err := h.shipment(id, api.ShipmentStateRETURNED); err != nil {
		t.Fatal(err)
	}
	for _, want := range []api.JobState{api.JobStateInTransitToAWS, api.JobStateWithAWSSortingFacility, api.JobStateWithAWS,
		api.JobStateInProgress, api.JobStateComplete} {
		h.wantState(id, want)
		h.clock.Advance(stage)
	}
	m = h.describe(id).JobMetadata
	if m.JobLogInfo == nil || m.ShippingDetails.InboundShipment == nil || m.DataTransferProgress == nil {
		t.Fatalf("a complete import's metadata lacks its reports or return shipment: %+v", m)
	}
}

func TestTheClockReplaysOverdueStagesAtTheirDueTimes(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	id := h.job(api.JobTypeLOCALUSE, api.SnowballTypeV35C)
	h.clock.Advance(2*stage + stage/2)
	j, err := h.db.SnowballJob(h.ctx(), testAccount, id)
	if err != nil {
		t.Fatal(err)
	}
	// Settling happens on the next read, and dates each stage from the end
	// of the one before, not from the read.
	h.wantState(id, api.JobStatePreparingShipment)
	j, _ = h.db.SnowballJob(h.ctx(), testAccount, id)
	if want := j.CreatedAt.Add(2 * stage); !j.StateSince.Equal(want) || !j.DueAt.Equal(want.Add(stage)) {
		t.Fatalf("entered %v due %v, want %v and %v", j.StateSince, j.DueAt, want, want.Add(stage))
	}
}

func TestTheLifecycleResumesAfterARestart(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	id := h.job(api.JobTypeIMPORT, api.SnowballTypeEDGE, "bucket-r")
	h.clock.Advance(stage)
	h.wantState(id, api.JobStatePreparingAppliance)
	h.db.Close()
	// Down for two and a half stages.
	h.clock.Advance(2*stage + stage/2)
	h.open()
	h.wantState(id, api.JobStateInTransitToCustomer)
	j, err := h.db.SnowballJob(h.ctx(), testAccount, id)
	if err != nil {
		t.Fatal(err)
	}
	if want := j.CreatedAt.Add(3 * stage); !j.StateSince.Equal(want) {
		t.Fatalf("InTransitToCustomer since %v, want %v", j.StateSince, want)
	}
}

func TestReceivedMarksDeliveryEarly(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	id := h.job(api.JobTypeLOCALUSE, api.SnowballTypeEDGE)
	wantCode(t, h.shipment(id, api.ShipmentStateRECEIVED), "InvalidJobStateException")
	wantCode(t, h.shipment(id, api.ShipmentStateRETURNED), "InvalidJobStateException")
	h.clock.Advance(3 * stage)
	h.wantState(id, api.JobStateInTransitToCustomer)
	if err := h.shipment(id, api.ShipmentStateRECEIVED); err != nil {
		t.Fatal(err)
	}
	h.wantState(id, api.JobStateWithCustomer)
	if err := h.shipment(id, api.ShipmentStateRECEIVED); err != nil {
		t.Fatalf("RECEIVED again: %v", err)
	}
	if err := h.shipment(id, api.ShipmentStateRETURNED); err != nil {
		t.Fatal(err)
	}
	wantCode(t, h.shipment(id, api.ShipmentStateRETURNED), "InvalidJobStateException")
}

func TestAnExportJobShipsOnePartAfterAnother(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	id := h.job(api.JobTypeEXPORT, api.SnowballTypeV35S, "export-one", "export-two")
	list, _ := h.p.ListJobs(h.ctx(), &api.ListJobsRequest{})
	if len(list.JobListEntries) != 1 || !*list.JobListEntries[0].IsMaster {
		t.Fatalf("a new export lists as %+v, want its main job only", list.JobListEntries)
	}
	h.clock.Advance(stage)
	h.wantState(id, api.JobStateListing)
	h.clock.Advance(stage)
	m := h.describe(id)
	if *m.JobMetadata.JobState != api.JobStateInProgress || len(m.SubJobMetadata) != 2 {
		t.Fatalf("after listing: %s with %d parts", *m.JobMetadata.JobState, len(m.SubJobMetadata))
	}
	p1, p2 := *m.SubJobMetadata[0].JobId, *m.SubJobMetadata[1].JobId
	h.wantState(p1, api.JobStateNew)
	h.wantState(p2, api.JobStatePending)
	if got := *m.SubJobMetadata[1].Resources.S3Resources[0].BucketArn; got != "arn:aws:s3:::export-two" {
		t.Fatalf("part 2 exports %s", got)
	}
	list, _ = h.p.ListJobs(h.ctx(), &api.ListJobsRequest{})
	if len(list.JobListEntries) != 3 {
		t.Fatalf("ListJobs shows %d entries, want the main job and 2 parts", len(list.JobListEntries))
	}
	for _, want := range []api.JobState{api.JobStateNew, api.JobStatePreparingAppliance, api.JobStateInProgress,
		api.JobStatePreparingShipment, api.JobStateInTransitToCustomer, api.JobStateWithCustomer} {
		h.wantState(p1, want)
		h.wantState(p2, api.JobStatePending)
		h.clock.Advance(stage)
	}
	if err := h.shipment(p1, api.ShipmentStateRETURNED); err != nil {
		t.Fatal(err)
	}
	h.wantState(p2, api.JobStateNew)
	// Part 2 is New: it alone may be cancelled now; the export ends when
	// part 1 comes back.
	if _, err := h.p.CancelJob(h.ctx(), &api.CancelJobRequest{JobId: &p2}); err != nil {
		t.Fatal(err)
	}
	h.clock.Advance(3 * stage)
	h.wantState(p1, api.JobStateComplete)
	h.wantState(p2, api.JobStateCancelled)
	h.wantState(id, api.JobStateComplete)
}

func TestALocalUseClusterWaitsForItsQuorum(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	out, err := h.p.CreateCluster(h.ctx(), &api.CreateClusterRequest{JobType: ptr(api.JobTypeLOCALUSE),
		SnowballType: ptr(api.SnowballTypeV35C), AddressId: ptr(h.address()), ShippingOption: ptr(api.ShippingOptionNEXTDAY),
		Description: ptr("edge"), InitialClusterSize: ptr(int32(0))})
	if err != nil {
		t.Fatal(err)
	}
	cid := *out.ClusterId
	clusterState := func() api.ClusterState {
		t.Helper()
		d, err := h.p.DescribeCluster(h.ctx(), &api.DescribeClusterRequest{ClusterId: &cid})
		if err != nil {
			t.Fatal(err)
		}
		return *d.ClusterMetadata.ClusterState
	}
	var nodes []string
	for range 2 {
		n, err := h.p.CreateJob(h.ctx(), &api.CreateJobRequest{ClusterId: &cid})
		if err != nil {
			t.Fatal(err)
		}
		nodes = append(nodes, *n.JobId)
	}
	h.clock.Advance(5 * stage)
	h.wantState(nodes[0], api.JobStateNew)
	if s := clusterState(); s != api.ClusterStateAwaitingQuorum {
		t.Fatalf("a 2-node V3_5C cluster is %s", s)
	}
	if _, err := h.p.UpdateCluster(h.ctx(), &api.UpdateClusterRequest{ClusterId: &cid, Description: ptr("edge-2")}); err != nil {
		t.Fatal(err)
	}
	n, err := h.p.CreateJob(h.ctx(), &api.CreateJobRequest{ClusterId: &cid})
	if err != nil {
		t.Fatal(err)
	}
	nodes = append(nodes, *n.JobId)
	h.clock.Advance(stage)
	if s := clusterState(); s != api.ClusterStatePending {
		t.Fatalf("a started cluster is %s, want Pending", s)
	}
	_, err = h.p.CancelCluster(h.ctx(), &api.CancelClusterRequest{ClusterId: &cid})
	wantCode(t, err, "InvalidJobStateException")
	_, err = h.p.UpdateCluster(h.ctx(), &api.UpdateClusterRequest{ClusterId: &cid, Description: ptr("late")})
	wantCode(t, err, "InvalidJobStateException")
	_, err = h.p.CreateJob(h.ctx(), &api.CreateJobRequest{ClusterId: &cid})
	wantCode(t, err, "ClusterLimitExceededException")
	h.clock.Advance(3 * stage)
	if s := clusterState(); s != api.ClusterStateInUse {
		t.Fatalf("a delivered cluster is %s, want InUse", s)
	}
	jobs, err := h.p.ListClusterJobs(h.ctx(), &api.ListClusterJobsRequest{ClusterId: &cid})
	if err != nil || len(jobs.JobListEntries) != 3 {
		t.Fatalf("cluster jobs %v, %v", jobs, err)
	}
	for _, id := range nodes {
		if err := h.shipment(id, api.ShipmentStateRETURNED); err != nil {
			t.Fatal(err)
		}
	}
	h.clock.Advance(3 * stage)
	if s := clusterState(); s != api.ClusterStateComplete {
		t.Fatalf("a returned cluster is %s, want Complete", s)
	}
	if d := h.describe(nodes[0]).JobMetadata; *d.ClusterId != cid || *d.Description != "edge-node-001" {
		t.Fatalf("node metadata %+v", d)
	}
}

func TestCancellation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		after int // stages before the cancel
		want  string
	}{
		{"a New job is cancelled", 0, ""},
		{"a job being prepared cannot be cancelled", 1, "InvalidJobStateException"},
		{"a job with the customer cannot be cancelled", 4, "InvalidJobStateException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			id := h.job(api.JobTypeIMPORT, api.SnowballTypeEDGE, "cancel-me")
			h.clock.Advance(time.Duration(tt.after) * stage)
			_, err := h.p.CancelJob(h.ctx(), &api.CancelJobRequest{JobId: &id})
			if tt.want != "" {
				wantCode(t, err, tt.want)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			h.clock.Advance(10 * stage)
			h.wantState(id, api.JobStateCancelled)
			_, err = h.p.UpdateJob(h.ctx(), &api.UpdateJobRequest{JobId: &id, Description: ptr("x")})
			wantCode(t, err, "InvalidJobStateException")
		})
	}
	t.Run("a cluster awaiting quorum is cancelled with its nodes", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		out, err := h.p.CreateCluster(h.ctx(), &api.CreateClusterRequest{JobType: ptr(api.JobTypeLOCALUSE),
			SnowballType: ptr(api.SnowballTypeEDGE), AddressId: ptr(h.address()), ShippingOption: ptr(api.ShippingOptionNEXTDAY),
			InitialClusterSize: ptr(int32(5))})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := h.p.CancelCluster(h.ctx(), &api.CancelClusterRequest{ClusterId: out.ClusterId}); err != nil {
			t.Fatal(err)
		}
		h.clock.Advance(5 * stage)
		for _, e := range out.JobListEntries {
			h.wantState(*e.JobId, api.JobStateCancelled)
		}
		g, err := h.db.SnowballGroup(h.ctx(), testAccount, *out.ClusterId)
		if err != nil || g.Cluster.State != string(api.ClusterStateCancelled) {
			t.Fatalf("cluster %+v, %v", g.Cluster, err)
		}
		_, err = h.p.CancelCluster(h.ctx(), &api.CancelClusterRequest{ClusterId: out.ClusterId})
		wantCode(t, err, "InvalidJobStateException")
	})
	t.Run("an export main job is cancelled before its listing", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		id := h.job(api.JobTypeEXPORT, api.SnowballTypeEDGE, "export-x")
		if _, err := h.p.CancelJob(h.ctx(), &api.CancelJobRequest{JobId: &id}); err != nil {
			t.Fatal(err)
		}
		h.clock.Advance(5 * stage)
		if m := h.describe(id); *m.JobMetadata.JobState != api.JobStateCancelled || len(m.SubJobMetadata) != 0 {
			t.Fatalf("cancelled export: %+v", m)
		}
	})
}
