package snowball

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	api "github.com/jobplane/jobplane/internal/api/snowball"
	"github.com/jobplane/jobplane/internal/store"
)

// clusterDoc is the stored document of a cluster: what its nodes inherit.
type clusterDoc struct {
	JobType                      *api.JobType                      `json:",omitempty"`
	SnowballType                 *api.SnowballType                 `json:",omitempty"`
	Resources                    *api.JobResource                  `json:",omitempty"`
	OnDeviceServiceConfiguration *api.OnDeviceServiceConfiguration `json:",omitempty"`
	AddressId                    *string                           `json:",omitempty"`
	KmsKeyARN                    *string                           `json:",omitempty"`
	RoleARN                      *string                           `json:",omitempty"`
	ShippingOption               *api.ShippingOption               `json:",omitempty"`
	Notification                 *api.Notification                 `json:",omitempty"`
	ForwardingAddressId          *string                           `json:",omitempty"`
	TaxDocuments                 *api.TaxDocuments                 `json:",omitempty"`
	RemoteManagement             *api.RemoteManagement             `json:",omitempty"`
	SnowballCapacityPreference   *api.SnowballCapacity             `json:",omitempty"`
}

func decodeCluster(c *store.SnowballCluster) (*clusterDoc, error) {
	var d clusterDoc
	if err := json.Unmarshal(c.Data, &d); err != nil {
		return nil, fmt.Errorf("snowball: cluster %s document: %w", c.ID, err)
	}
	return &d, nil
}

func (d *clusterDoc) encode() []byte {
	b, err := json.Marshal(d)
	if err != nil {
		panic(err)
	}
	return b
}

// nodeDoc is what a node job inherits from its cluster.
func (d *clusterDoc) nodeDoc(n int) *jobDoc {
	return &jobDoc{Resources: d.Resources, OnDeviceServiceConfiguration: d.OnDeviceServiceConfiguration, AddressId: d.AddressId,
		KmsKeyARN: d.KmsKeyARN, RoleARN: d.RoleARN, SnowballCapacityPreference: d.SnowballCapacityPreference,
		ShippingOption: d.ShippingOption, Notification: d.Notification, ForwardingAddressId: d.ForwardingAddressId,
		TaxDocuments: d.TaxDocuments, RemoteManagement: d.RemoteManagement, Part: n}
}

// newNode returns node n of a cluster, created at at.
func newNode(g *store.SnowballGroup, d *clusterDoc, n int, ltp string, at time.Time) store.SnowballJob {
	desc := ""
	if g.Cluster.Description != "" {
		// As the model's example names them: MyCluster-node-001.
		desc = fmt.Sprintf("%s-node-%03d", g.Cluster.Description, n)
	}
	return store.SnowballJob{Account: g.Account, ID: newID("JID"), GroupID: g.ID, ClusterID: g.ID, JobType: str(d.JobType),
		SnowballType: str(d.SnowballType), Description: desc, State: string(api.JobStateNew), CreatedAt: at, StateSince: at,
		LongTermPricingID: ltp, Data: d.nodeDoc(n).encode()}
}

// CreateCluster implements api.Service: the cluster starts AwaitingQuorum,
// with InitialClusterSize node jobs created at once (spec §6).
func (p *Provider) CreateCluster(ctx context.Context, in *api.CreateClusterRequest) (*api.CreateClusterResult, error) {
	size := int(derefOr(in.InitialClusterSize, 0))
	o := order{snowballType: *in.SnowballType, jobType: *in.JobType, capacity: in.SnowballCapacityPreference,
		services: in.OnDeviceServiceConfiguration, resources: in.Resources, cluster: true, clusterSize: size,
		forceJobs: derefOr(in.ForceCreateJobs, false)}
	if err := o.check(); err != nil {
		return nil, err
	}
	doc := &clusterDoc{JobType: in.JobType, SnowballType: in.SnowballType, Resources: in.Resources,
		OnDeviceServiceConfiguration: in.OnDeviceServiceConfiguration, AddressId: in.AddressId, KmsKeyARN: in.KmsKeyARN,
		RoleARN: in.RoleARN, ShippingOption: in.ShippingOption, Notification: in.Notification,
		ForwardingAddressId: in.ForwardingAddressId, TaxDocuments: in.TaxDocuments, RemoteManagement: in.RemoteManagement,
		SnowballCapacityPreference: in.SnowballCapacityPreference}
	if doc.RemoteManagement == nil {
		doc.RemoteManagement = ptr(api.RemoteManagementINSTALLEDONLY)
	}
	if err := p.checkReferences(ctx, doc.nodeDoc(0)); err != nil {
		return nil, err
	}
	if err := p.checkKMS(ctx, in.KmsKeyARN); err != nil {
		return nil, err
	}
	for _, id := range in.LongTermPricingIds {
		if err := p.checkPricing(ctx, &id, *in.SnowballType); err != nil {
			return nil, err
		}
	}
	now := p.clock.Now()
	id := newID("CID")
	g := store.SnowballGroup{Account: account(ctx), ID: id, Cluster: &store.SnowballCluster{Account: account(ctx), ID: id,
		CreatedAt: now, Description: str(in.Description), State: string(api.ClusterStateAwaitingQuorum), Data: doc.encode()}}
	for n := 1; n <= size; n++ {
		ltp := ""
		if n <= len(in.LongTermPricingIds) {
			ltp = in.LongTermPricingIds[n-1]
		}
		// A nanosecond apart, so that the nodes list in creation order.
		g.Jobs = append(g.Jobs, newNode(&g, doc, n, ltp, now.Add(time.Duration(n-1))))
	}
	p.reconcile(&g, now)
	if err := p.st.CreateSnowballGroup(ctx, g); err != nil {
		return nil, err
	}
	out := &api.CreateClusterResult{ClusterId: &id}
	for i := range g.Jobs {
		out.JobListEntries = append(out.JobListEntries, listEntry(&g.Jobs[i]))
		p.noteDue(g.Jobs[i].DueAt)
	}
	return out, nil
}

func derefOr[T any](v *T, def T) T {
	if v == nil {
		return def
	}
	return *v
}

// createNode adds a node job to a cluster (CreateJob with a ClusterId):
// everything but its description and long-term pricing comes from the
// cluster (spec §3 CreateJob).
func (p *Provider) createNode(ctx context.Context, in *api.CreateJobRequest) (*api.CreateJobResult, error) {
	c, doc, err := p.cluster(ctx, *in.ClusterId)
	if err != nil {
		return nil, err
	}
	if in.JobType != nil || in.SnowballType != nil || in.Resources != nil || in.OnDeviceServiceConfiguration != nil ||
		in.AddressId != nil || in.KmsKeyARN != nil || in.RoleARN != nil || in.SnowballCapacityPreference != nil ||
		in.ShippingOption != nil || in.Notification != nil || in.ForwardingAddressId != nil || in.TaxDocuments != nil ||
		in.DeviceConfiguration != nil || in.RemoteManagement != nil || in.ImpactLevel != nil || in.PickupDetails != nil {
		return nil, combination("A cluster node inherits its settings from the cluster %s: give only ClusterId, Description and LongTermPricingId.", c.ID)
	}
	if err := p.checkPricing(ctx, in.LongTermPricingId, api.SnowballType(str(doc.SnowballType))); err != nil {
		return nil, err
	}
	d, _ := deviceOf(api.SnowballType(str(doc.SnowballType)))
	now := p.clock.Now()
	var node store.SnowballJob
	err = p.st.UpdateSnowballGroup(ctx, c.Account, c.ID, func(g *store.SnowballGroup) error {
		p.settleGroup(g, now)
		switch {
		case g.Cluster.State != string(api.ClusterStateAwaitingQuorum):
			return &api.ClusterLimitExceededException{Message: ptr(fmt.Sprintf(
				"The cluster %s is %s and takes no more nodes.", g.ID, g.Cluster.State))}
		case liveNodes(g) >= d.maxNodes:
			return &api.ClusterLimitExceededException{Message: ptr(fmt.Sprintf(
				"The cluster %s already has its %d nodes, the most a cluster of %s devices has.", g.ID, d.maxNodes, d.typ))}
		}
		node = newNode(g, doc, len(g.Jobs)+1, str(in.LongTermPricingId), now)
		if in.Description != nil {
			node.Description = *in.Description
		}
		g.Jobs = append(g.Jobs, node)
		p.reconcile(g, now)
		node = g.Jobs[len(g.Jobs)-1]
		for i := range g.Jobs {
			p.noteDue(g.Jobs[i].DueAt)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &api.CreateJobResult{JobId: &node.ID}, nil
}

// cluster reads one of the caller's clusters, settled to the present.
func (p *Provider) cluster(ctx context.Context, id string) (store.SnowballCluster, *clusterDoc, error) {
	if err := p.catchUp(ctx, false); err != nil {
		return store.SnowballCluster{}, nil, err
	}
	c, err := p.st.SnowballCluster(ctx, account(ctx), id)
	if errors.Is(err, store.ErrSnowballNotFound) {
		return c, nil, invalidResource("ClusterId", "The cluster %s does not exist.", id)
	}
	if err != nil {
		return c, nil, err
	}
	doc, err := decodeCluster(&c)
	return c, doc, err
}

// DescribeCluster implements api.Service.
func (p *Provider) DescribeCluster(ctx context.Context, in *api.DescribeClusterRequest) (*api.DescribeClusterResult, error) {
	c, d, err := p.cluster(ctx, *in.ClusterId)
	if err != nil {
		return nil, err
	}
	return &api.DescribeClusterResult{ClusterMetadata: &api.ClusterMetadata{ClusterId: &c.ID, Description: optional(c.Description),
		KmsKeyARN: d.KmsKeyARN, RoleARN: d.RoleARN, ClusterState: ptr(api.ClusterState(c.State)), JobType: d.JobType,
		SnowballType: d.SnowballType, CreationDate: ptr(c.CreatedAt), Resources: d.Resources, AddressId: d.AddressId,
		ShippingOption: d.ShippingOption, Notification: d.Notification, ForwardingAddressId: d.ForwardingAddressId,
		TaxDocuments: d.TaxDocuments, OnDeviceServiceConfiguration: d.OnDeviceServiceConfiguration}}, nil
}

// ListClusters implements api.Service.
func (p *Provider) ListClusters(ctx context.Context, in *api.ListClustersRequest) (*api.ListClustersResult, error) {
	if err := p.catchUp(ctx, false); err != nil {
		return nil, err
	}
	cs, next, err := keysetPage(ctx, p, "ListClusters", "", in.NextToken, in.MaxResults,
		func(after *store.SnowballCursor, n int) ([]store.SnowballCluster, error) {
			return p.st.ListSnowballClusters(ctx, account(ctx), after, n)
		},
		func(c store.SnowballCluster) (time.Time, string) { return c.CreatedAt, c.ID })
	if err != nil {
		return nil, err
	}
	out := &api.ListClustersResult{ClusterListEntries: []api.ClusterListEntry{}, NextToken: next}
	for _, c := range cs {
		out.ClusterListEntries = append(out.ClusterListEntries, api.ClusterListEntry{ClusterId: ptr(c.ID),
			ClusterState: ptr(api.ClusterState(c.State)), CreationDate: ptr(c.CreatedAt), Description: optional(c.Description)})
	}
	return out, nil
}

// ListClusterJobs implements api.Service.
func (p *Provider) ListClusterJobs(ctx context.Context, in *api.ListClusterJobsRequest) (*api.ListClusterJobsResult, error) {
	if _, _, err := p.cluster(ctx, *in.ClusterId); err != nil {
		return nil, err
	}
	entries, next, err := p.listJobs(ctx, "ListClusterJobs", *in.ClusterId, in.NextToken, in.MaxResults)
	if err != nil {
		return nil, err
	}
	return &api.ListClusterJobsResult{JobListEntries: entries, NextToken: next}, nil
}

// updateCluster runs fn on one of the caller's clusters, refusing any state
// but AwaitingQuorum (spec §5.3).
func (p *Provider) updateCluster(ctx context.Context, id, verb string, fn func(g *store.SnowballGroup, now time.Time) error) error {
	now := p.clock.Now()
	err := p.st.UpdateSnowballGroup(ctx, account(ctx), id, func(g *store.SnowballGroup) error {
		p.settleGroup(g, now)
		if g.Cluster.State != string(api.ClusterStateAwaitingQuorum) {
			return invalidState("The cluster %s is %s: a cluster can be %s only while it is AwaitingQuorum.", id, g.Cluster.State, verb)
		}
		return fn(g, now)
	})
	if errors.Is(err, store.ErrSnowballNotFound) {
		return invalidResource("ClusterId", "The cluster %s does not exist.", id)
	}
	return err
}

// UpdateCluster implements api.Service. The changes reach the nodes, which
// inherit the cluster's settings.
func (p *Provider) UpdateCluster(ctx context.Context, in *api.UpdateClusterRequest) (*api.UpdateClusterResult, error) {
	c, doc, err := p.cluster(ctx, *in.ClusterId)
	if err != nil {
		return nil, err
	}
	if c.State != string(api.ClusterStateAwaitingQuorum) {
		return nil, invalidState("The cluster %s is %s: a cluster can be updated only while it is AwaitingQuorum.", c.ID, c.State)
	}
	apply := func(d *clusterDoc) {
		set(&d.RoleARN, in.RoleARN)
		set(&d.Resources, in.Resources)
		set(&d.OnDeviceServiceConfiguration, in.OnDeviceServiceConfiguration)
		set(&d.AddressId, in.AddressId)
		set(&d.ShippingOption, in.ShippingOption)
		set(&d.Notification, in.Notification)
		set(&d.ForwardingAddressId, in.ForwardingAddressId)
	}
	apply(doc)
	if err := p.checkReferences(ctx, doc.nodeDoc(0)); err != nil {
		return nil, err
	}
	err = p.updateCluster(ctx, c.ID, "updated", func(g *store.SnowballGroup, now time.Time) error {
		d, err := decodeCluster(g.Cluster)
		if err != nil {
			return err
		}
		apply(d)
		o := order{snowballType: *d.SnowballType, jobType: *d.JobType, capacity: d.SnowballCapacityPreference,
			services: d.OnDeviceServiceConfiguration, resources: d.Resources, cluster: true}
		if err := o.check(); err != nil {
			return err
		}
		if in.Description != nil {
			g.Cluster.Description = *in.Description
		}
		g.Cluster.Data = d.encode()
		for i := range g.Jobs {
			j := &g.Jobs[i]
			nd, err := decodeJob(j)
			if err != nil {
				return err
			}
			j.Data = d.nodeDoc(nd.Part).encode()
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &api.UpdateClusterResult{}, nil
}

// CancelCluster implements api.Service: the cluster and its nodes are cancelled.
func (p *Provider) CancelCluster(ctx context.Context, in *api.CancelClusterRequest) (*api.CancelClusterResult, error) {
	if _, _, err := p.cluster(ctx, *in.ClusterId); err != nil {
		return nil, err
	}
	err := p.updateCluster(ctx, *in.ClusterId, "cancelled", func(g *store.SnowballGroup, now time.Time) error {
		g.Cluster.State = string(api.ClusterStateCancelled)
		for i := range g.Jobs {
			if !terminal(g.Jobs[i].State) {
				p.enter(g, i, api.JobStateCancelled, now)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &api.CancelClusterResult{}, nil
}
