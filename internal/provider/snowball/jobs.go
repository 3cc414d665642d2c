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

// jobDoc is the stored document of a job: what DescribeJob returns beyond
// the store's own columns.
type jobDoc struct {
	Resources                    *api.JobResource                  `json:",omitempty"`
	OnDeviceServiceConfiguration *api.OnDeviceServiceConfiguration `json:",omitempty"`
	AddressId                    *string                           `json:",omitempty"`
	KmsKeyARN                    *string                           `json:",omitempty"`
	RoleARN                      *string                           `json:",omitempty"`
	SnowballCapacityPreference   *api.SnowballCapacity             `json:",omitempty"`
	ShippingOption               *api.ShippingOption               `json:",omitempty"`
	Notification                 *api.Notification                 `json:",omitempty"`
	ForwardingAddressId          *string                           `json:",omitempty"`
	TaxDocuments                 *api.TaxDocuments                 `json:",omitempty"`
	DeviceConfiguration          *api.DeviceConfiguration          `json:",omitempty"`
	RemoteManagement             *api.RemoteManagement             `json:",omitempty"`
	ImpactLevel                  *api.ImpactLevel                  `json:",omitempty"`
	PickupDetails                *api.PickupDetails                `json:",omitempty"`
	// Part numbers an export's job parts and a cluster's nodes from 1.
	Part int `json:",omitempty"`
	// Label is the job's return shipping label, once requested.
	Label *labelDoc `json:",omitempty"`
}

// labelDoc is a requested return shipping label.
type labelDoc struct {
	RequestedAt    time.Time
	ShippingOption *api.ShippingOption `json:",omitempty"`
}

func decodeJob(j *store.SnowballJob) (*jobDoc, error) {
	var d jobDoc
	if len(j.Data) > 0 {
		if err := json.Unmarshal(j.Data, &d); err != nil {
			return nil, fmt.Errorf("snowball: job %s document: %w", j.ID, err)
		}
	}
	return &d, nil
}

func (d *jobDoc) encode() []byte {
	b, err := json.Marshal(d)
	if err != nil {
		// The document holds only strings, numbers, booleans and times.
		panic(err)
	}
	return b
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// CreateJob implements api.Service.
func (p *Provider) CreateJob(ctx context.Context, in *api.CreateJobRequest) (*api.CreateJobResult, error) {
	if in.ClusterId != nil {
		return p.createNode(ctx, in)
	}
	for _, req := range []struct {
		member string
		set    bool
	}{{"jobType", in.JobType != nil}, {"snowballType", in.SnowballType != nil}, {"addressId", in.AddressId != nil}, {"shippingOption", in.ShippingOption != nil}} {
		if !req.set {
			return nil, validation(req.member)
		}
	}
	doc := &jobDoc{Resources: in.Resources, OnDeviceServiceConfiguration: in.OnDeviceServiceConfiguration,
		AddressId: in.AddressId, KmsKeyARN: in.KmsKeyARN, RoleARN: in.RoleARN, SnowballCapacityPreference: in.SnowballCapacityPreference,
		ShippingOption: in.ShippingOption, Notification: in.Notification, ForwardingAddressId: in.ForwardingAddressId,
		TaxDocuments: in.TaxDocuments, DeviceConfiguration: in.DeviceConfiguration, RemoteManagement: in.RemoteManagement,
		ImpactLevel: in.ImpactLevel, PickupDetails: in.PickupDetails}
	if doc.RemoteManagement == nil {
		// Snow Device Management is installed unless asked otherwise (spec §12.2).
		doc.RemoteManagement = ptr(api.RemoteManagementINSTALLEDONLY)
	}
	if err := checkJobOrder(*in.JobType, *in.SnowballType, doc); err != nil {
		return nil, err
	}
	if err := p.checkReferences(ctx, doc); err != nil {
		return nil, err
	}
	if in.KmsKeyARN != nil {
		if err := p.checkKMS(ctx, in.KmsKeyARN); err != nil {
			return nil, err
		}
	}
	if err := p.checkPricing(ctx, in.LongTermPricingId, *in.SnowballType); err != nil {
		return nil, err
	}
	now := p.clock.Now()
	job := store.SnowballJob{Account: account(ctx), ID: newID("JID"), JobType: string(*in.JobType),
		SnowballType: string(*in.SnowballType), Description: str(in.Description), State: string(api.JobStateNew),
		IsMaster: *in.JobType == api.JobTypeEXPORT, CreatedAt: now, StateSince: now,
		DueAt: now.Add(p.opts.StageDuration), LongTermPricingID: str(in.LongTermPricingId), Data: doc.encode()}
	job.GroupID = job.ID
	if err := p.st.CreateSnowballGroup(ctx, store.SnowballGroup{Account: job.Account, ID: job.ID, Jobs: []store.SnowballJob{job}}); err != nil {
		return nil, err
	}
	p.noteDue(job.DueAt)
	return &api.CreateJobResult{JobId: &job.ID}, nil
}

// checkJobOrder applies the device table and the job-type rules that need
// no lookup, so that UpdateJob can re-check a merged job atomically.
func checkJobOrder(jobType api.JobType, t api.SnowballType, doc *jobDoc) error {
	o := order{snowballType: t, jobType: jobType, capacity: doc.SnowballCapacityPreference,
		services: doc.OnDeviceServiceConfiguration, resources: doc.Resources, deviceConfig: doc.DeviceConfiguration}
	if err := o.check(); err != nil {
		return err
	}
	if jobType != api.JobTypeLOCALUSE && (doc.Resources == nil || len(doc.Resources.S3Resources) == 0) {
		return combination("An %s job needs at least one S3 bucket in Resources.S3Resources.", jobType)
	}
	return nil
}

// checkReferences validates every resource a job or cluster document names.
func (p *Provider) checkReferences(ctx context.Context, doc *jobDoc) error {
	if err := checkRole(ctx, doc.RoleARN); err != nil {
		return err
	}
	if err := checkNotification(doc.Notification); err != nil {
		return err
	}
	if err := p.checkResources(ctx, doc.Resources); err != nil {
		return err
	}
	addr, err := p.resolveAddress(ctx, "AddressId", doc.AddressId)
	if err != nil {
		return err
	}
	if _, err := p.resolveAddress(ctx, "ForwardingAddressId", doc.ForwardingAddressId); err != nil {
		return err
	}
	return checkTax(doc.TaxDocuments, addr)
}

// job reads one of the caller's jobs, settled to the present.
func (p *Provider) job(ctx context.Context, id string) (store.SnowballJob, *jobDoc, error) {
	if err := p.catchUp(ctx, false); err != nil {
		return store.SnowballJob{}, nil, err
	}
	j, err := p.st.SnowballJob(ctx, account(ctx), id)
	if errors.Is(err, store.ErrSnowballNotFound) {
		return j, nil, invalidResource("JobId", "The job %s does not exist.", id)
	}
	if err != nil {
		return j, nil, err
	}
	doc, err := decodeJob(&j)
	return j, doc, err
}

// DescribeJob implements api.Service.
func (p *Provider) DescribeJob(ctx context.Context, in *api.DescribeJobRequest) (*api.DescribeJobResult, error) {
	j, doc, err := p.job(ctx, *in.JobId)
	if err != nil {
		return nil, err
	}
	out := &api.DescribeJobResult{JobMetadata: p.metadata(ctx, &j, doc)}
	if j.IsMaster {
		g, err := p.st.SnowballGroup(ctx, j.Account, j.GroupID)
		if err != nil {
			return nil, err
		}
		for i := range g.Jobs {
			part := &g.Jobs[i]
			if part.IsMaster {
				continue
			}
			pd, err := decodeJob(part)
			if err != nil {
				return nil, err
			}
			out.SubJobMetadata = append(out.SubJobMetadata, *p.metadata(ctx, part, pd))
		}
	}
	return out, nil
}

// metadata renders a job as JobMetadata.
func (p *Provider) metadata(ctx context.Context, j *store.SnowballJob, d *jobDoc) *api.JobMetadata {
	m := &api.JobMetadata{JobId: ptr(j.ID), JobState: ptr(api.JobState(j.State)), JobType: ptr(api.JobType(j.JobType)),
		SnowballType: ptr(api.SnowballType(j.SnowballType)), CreationDate: ptr(j.CreatedAt), Resources: d.Resources,
		Description: optional(j.Description), KmsKeyARN: d.KmsKeyARN, RoleARN: d.RoleARN, AddressId: d.AddressId,
		SnowballCapacityPreference: ptr(capacityOf(api.SnowballType(j.SnowballType), d.SnowballCapacityPreference)),
		Notification:               d.Notification, ClusterId: optional(j.ClusterID), ForwardingAddressId: d.ForwardingAddressId,
		TaxDocuments: d.TaxDocuments, DeviceConfiguration: d.DeviceConfiguration, RemoteManagement: d.RemoteManagement,
		LongTermPricingId: optional(j.LongTermPricingID), OnDeviceServiceConfiguration: d.OnDeviceServiceConfiguration,
		ImpactLevel: d.ImpactLevel, PickupDetails: d.PickupDetails}
	m.ShippingDetails = &api.ShippingDetails{ShippingOption: d.ShippingOption}
	if j.IsMaster {
		return m
	}
	if reached(j, api.JobStatePreparingAppliance) {
		m.SnowballId = ptr(snowballID(j.ID))
	}
	if reached(j, api.JobStatePreparingShipment) {
		status := "Delivered"
		switch api.JobState(j.State) {
		case api.JobStatePreparingShipment:
			status = "Label created"
		case api.JobStateInTransitToCustomer:
			status = "In transit"
		}
		m.ShippingDetails.OutboundShipment = &api.Shipment{Status: &status, TrackingNumber: ptr(trackingNumber(j.ID, "out"))}
	}
	if reached(j, api.JobStateInTransitToAWS) {
		status := "Delivered"
		if j.State == string(api.JobStateInTransitToAWS) {
			status = "In transit"
		}
		m.ShippingDetails.InboundShipment = &api.Shipment{Status: &status, TrackingNumber: ptr(trackingNumber(j.ID, "in"))}
	}
	if j.JobType != string(api.JobTypeLOCALUSE) && (j.State == string(api.JobStateInProgress) || j.State == string(api.JobStateComplete)) {
		m.DataTransferProgress = &api.DataTransfer{BytesTransferred: ptr(int64(0)), ObjectsTransferred: ptr(int64(0)),
			TotalBytes: ptr(int64(0)), TotalObjects: ptr(int64(0))}
	}
	// Reports appear at the end of an import and while an export's device
	// is on its way (spec §5.4).
	if (j.JobType == string(api.JobTypeIMPORT) && j.State == string(api.JobStateComplete)) ||
		(j.JobType == string(api.JobTypeEXPORT) && reached(j, api.JobStateInTransitToCustomer)) {
		m.JobLogInfo = &api.JobLogs{
			JobCompletionReportURI: ptr(p.presign(ctx, fileReport, j.ID, time.Hour)),
			JobSuccessLogURI:       ptr(p.presign(ctx, fileSuccessLog, j.ID, time.Hour)),
			JobFailureLogURI:       ptr(p.presign(ctx, fileFailureLog, j.ID, time.Hour)),
		}
	}
	return m
}

func listEntry(j *store.SnowballJob) api.JobListEntry {
	return api.JobListEntry{JobId: ptr(j.ID), JobState: ptr(api.JobState(j.State)), IsMaster: ptr(j.IsMaster),
		JobType: ptr(api.JobType(j.JobType)), SnowballType: ptr(api.SnowballType(j.SnowballType)),
		CreationDate: ptr(j.CreatedAt), Description: optional(j.Description)}
}

// listJobs pages the caller's jobs for ListJobs and ListClusterJobs.
func (p *Provider) listJobs(ctx context.Context, op, clusterID string, token *string, max *int32) ([]api.JobListEntry, *string, error) {
	if err := p.catchUp(ctx, false); err != nil {
		return nil, nil, err
	}
	limit := pageSize(max)
	key := listKey{account: account(ctx), op: op, filter: clusterID, token: str(token), limit: limit}
	version, err := p.st.SnowballJobsVersion(ctx, key.account)
	if err != nil {
		return nil, nil, err
	}
	if page, ok := p.lists.get(key, version); ok {
		return page.entries, page.next, nil
	}
	jobs, next, err := keysetPage(ctx, p, op, clusterID, token, max,
		func(after *store.SnowballCursor, n int) ([]store.SnowballJob, error) {
			return p.st.ListSnowballJobs(ctx, store.SnowballJobQuery{Account: key.account, ClusterID: clusterID, After: after, Limit: n})
		},
		func(j store.SnowballJob) (time.Time, string) { return j.CreatedAt, j.ID })
	if err != nil {
		return nil, nil, err
	}
	entries := make([]api.JobListEntry, len(jobs))
	for i := range jobs {
		entries[i] = listEntry(&jobs[i])
	}
	// The version was read before the page: a write in between makes the
	// cached page look older than it is, never newer.
	p.lists.put(key, listPage{version: version, entries: entries, next: next})
	return entries, next, nil
}

// ListJobs implements api.Service: main jobs, job parts, standalone jobs and
// cluster nodes alike, newest first.
func (p *Provider) ListJobs(ctx context.Context, in *api.ListJobsRequest) (*api.ListJobsResult, error) {
	entries, next, err := p.listJobs(ctx, "ListJobs", "", in.NextToken, in.MaxResults)
	if err != nil {
		return nil, err
	}
	return &api.ListJobsResult{JobListEntries: entries, NextToken: next}, nil
}

// updateJob runs fn on one of the caller's jobs inside its group's atomic
// update, after settling the group to the present.
func (p *Provider) updateJob(ctx context.Context, id string, fn func(g *store.SnowballGroup, i int, now time.Time) error) error {
	j, _, err := p.job(ctx, id)
	if err != nil {
		return err
	}
	now := p.clock.Now()
	var due []time.Time
	err = p.st.UpdateSnowballGroup(ctx, j.Account, j.GroupID, func(g *store.SnowballGroup) error {
		p.settleGroup(g, now)
		for i := range g.Jobs {
			if g.Jobs[i].ID == id {
				if err := fn(g, i, now); err != nil {
					return err
				}
				due = due[:0]
				for k := range g.Jobs {
					due = append(due, g.Jobs[k].DueAt)
				}
				return nil
			}
		}
		return invalidResource("JobId", "The job %s does not exist.", id)
	})
	if errors.Is(err, store.ErrSnowballNotFound) {
		return invalidResource("JobId", "The job %s does not exist.", id)
	}
	for _, d := range due {
		p.noteDue(d)
	}
	return err
}

// UpdateJob implements api.Service: only while the job is New (spec §5.3);
// members left out keep their values.
func (p *Provider) UpdateJob(ctx context.Context, in *api.UpdateJobRequest) (*api.UpdateJobResult, error) {
	j, doc, err := p.job(ctx, *in.JobId)
	if err != nil {
		return nil, err
	}
	if j.State != string(api.JobStateNew) {
		return nil, invalidState("The job %s is %s: a job can be updated only while it is New.", j.ID, j.State)
	}
	apply := func(d *jobDoc) {
		set(&d.RoleARN, in.RoleARN)
		set(&d.Notification, in.Notification)
		set(&d.Resources, in.Resources)
		set(&d.OnDeviceServiceConfiguration, in.OnDeviceServiceConfiguration)
		set(&d.AddressId, in.AddressId)
		set(&d.ShippingOption, in.ShippingOption)
		set(&d.SnowballCapacityPreference, in.SnowballCapacityPreference)
		set(&d.ForwardingAddressId, in.ForwardingAddressId)
		set(&d.PickupDetails, in.PickupDetails)
	}
	apply(doc)
	if err := p.checkReferences(ctx, doc); err != nil {
		return nil, err
	}
	err = p.updateJob(ctx, *in.JobId, func(g *store.SnowballGroup, i int, now time.Time) error {
		job := &g.Jobs[i]
		if job.State != string(api.JobStateNew) {
			return invalidState("The job %s is %s: a job can be updated only while it is New.", job.ID, job.State)
		}
		d, err := decodeJob(job)
		if err != nil {
			return err
		}
		apply(d)
		if job.ClusterID == "" {
			if err := checkJobOrder(api.JobType(job.JobType), api.SnowballType(job.SnowballType), d); err != nil {
				return err
			}
		} else if err := (order{snowballType: api.SnowballType(job.SnowballType), jobType: api.JobType(job.JobType),
			capacity: d.SnowballCapacityPreference, services: d.OnDeviceServiceConfiguration, resources: d.Resources}).check(); err != nil {
			return err
		}
		if in.Description != nil {
			job.Description = *in.Description
		}
		job.Data = d.encode()
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &api.UpdateJobResult{}, nil
}

func set[T any](dst **T, v *T) {
	if v != nil {
		*dst = v
	}
}

// CancelJob implements api.Service: only while the job is New (spec §5.3).
// Cancelling an export main job before its listing cancels the export;
// cancelling a part cancels that device only.
func (p *Provider) CancelJob(ctx context.Context, in *api.CancelJobRequest) (*api.CancelJobResult, error) {
	err := p.updateJob(ctx, *in.JobId, func(g *store.SnowballGroup, i int, now time.Time) error {
		j := &g.Jobs[i]
		if j.State != string(api.JobStateNew) {
			return invalidState("The job %s is %s: a job can be cancelled only while it is New.", j.ID, j.State)
		}
		p.enter(g, i, api.JobStateCancelled, now)
		p.reconcile(g, now)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &api.CancelJobResult{}, nil
}

// UpdateJobShipmentState implements api.Service: RECEIVED marks a device in
// transit to the customer as delivered (and is accepted again once it is);
// RETURNED sends a device the customer has back to AWS, after which the
// clock takes it on (docs/snowball.md).
func (p *Provider) UpdateJobShipmentState(ctx context.Context, in *api.UpdateJobShipmentStateRequest) (*api.UpdateJobShipmentStateResult, error) {
	err := p.updateJob(ctx, *in.JobId, func(g *store.SnowballGroup, i int, now time.Time) error {
		j := &g.Jobs[i]
		state := api.JobState(j.State)
		switch {
		case j.IsMaster:
			return invalidState("The export job %s has no device of its own: update the shipment state of its job parts.", j.ID)
		case *in.ShipmentState == api.ShipmentStateRECEIVED && state == api.JobStateInTransitToCustomer:
			p.enter(g, i, api.JobStateWithCustomer, now)
		case *in.ShipmentState == api.ShipmentStateRECEIVED && state == api.JobStateWithCustomer:
			return nil
		case *in.ShipmentState == api.ShipmentStateRETURNED && state == api.JobStateWithCustomer:
			p.enter(g, i, api.JobStateInTransitToAWS, now)
		default:
			return invalidState("The job %s is %s: the shipment state %s does not apply.", j.ID, j.State, *in.ShipmentState)
		}
		p.reconcile(g, now)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &api.UpdateJobShipmentStateResult{}, nil
}
