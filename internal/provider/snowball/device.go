package snowball

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"

	api "github.com/jobplane/jobplane/internal/api/snowball"
	"github.com/jobplane/jobplane/internal/store"
)

// Device credentials, software updates, return labels and usage: what a
// customer needs while a device is in the field.

// Lifetimes of the URLs the service hands out (spec §3, §5.5).
const (
	manifestURLLifetime = time.Hour
	updatesURLLifetime  = 48 * time.Hour
	labelURLLifetime    = time.Hour
	// labelValidity is how long a generated return label can be used.
	labelValidity = 14 * 24 * time.Hour
	// credentialLifetime is how long after a job's creation its manifest and
	// unlock code work (spec §5.5: 360 days).
	credentialLifetime = 360 * 24 * time.Hour
)

// inUseStates are the states of a job whose device is allocated to it:
// from the moment AWS prepares it until the job is over.
var inUseStates = []string{string(api.JobStatePreparingAppliance), string(api.JobStatePreparingShipment),
	string(api.JobStateInTransitToCustomer), string(api.JobStateWithCustomer), string(api.JobStateInTransitToAWS),
	string(api.JobStateWithAWSSortingFacility), string(api.JobStateWithAWS), string(api.JobStateInProgress)}

// alphabet is the unlock code's: 36 symbols, five groups of five.
const alphabet = "0123456789abcdefghijklmnopqrstuvwxyz"

// unlockCode derives the job's 29-character unlock code from the provider's
// secret, so that it is stable across restarts without being stored.
func (p *Provider) unlockCode(jobID string) string {
	m := hmac.New(sha256.New, p.codeKey)
	m.Write([]byte(jobID))
	sum := m.Sum(nil)
	var b strings.Builder
	for i := range 25 {
		if i > 0 && i%5 == 0 {
			b.WriteByte('-')
		}
		b.WriteByte(alphabet[int(sum[i])%len(alphabet)])
	}
	return b.String()
}

// snowballID is the serial of the device a job was given.
func snowballID(jobID string) string {
	sum := sha256.Sum256([]byte("device\x00" + jobID))
	return "SN" + strings.ToUpper(hex.EncodeToString(sum[:7]))
}

// trackingNumber is a UPS-style tracking number of one leg of a job's trip.
func trackingNumber(jobID, leg string) string {
	sum := sha256.Sum256([]byte(leg + "\x00" + jobID))
	return "1Z" + strings.ToUpper(hex.EncodeToString(sum[:8]))
}

// deviceJob returns one of the caller's jobs whose device is with the
// customer, the only state in which its credentials are given out (spec §5.3).
func (p *Provider) deviceJob(ctx context.Context, id, what string) (store.SnowballJob, error) {
	j, _, err := p.job(ctx, id)
	if err != nil {
		return j, err
	}
	if j.State != string(api.JobStateWithCustomer) {
		return j, invalidState("The job %s is %s: the %s is available only while the job is WithCustomer.", j.ID, j.State, what)
	}
	if p.clock.Now().After(j.CreatedAt.Add(credentialLifetime)) {
		return j, invalidState("The %s of job %s expired 360 days after the job was created.", what, j.ID)
	}
	return j, nil
}

// GetJobManifest implements api.Service.
func (p *Provider) GetJobManifest(ctx context.Context, in *api.GetJobManifestRequest) (*api.GetJobManifestResult, error) {
	j, err := p.deviceJob(ctx, *in.JobId, "manifest")
	if err != nil {
		return nil, err
	}
	return &api.GetJobManifestResult{ManifestURI: ptr(p.presign(ctx, fileManifest, j.ID, manifestURLLifetime))}, nil
}

// GetJobUnlockCode implements api.Service.
func (p *Provider) GetJobUnlockCode(ctx context.Context, in *api.GetJobUnlockCodeRequest) (*api.GetJobUnlockCodeResult, error) {
	j, err := p.deviceJob(ctx, *in.JobId, "unlock code")
	if err != nil {
		return nil, err
	}
	return &api.GetJobUnlockCodeResult{UnlockCode: ptr(p.unlockCode(j.ID))}, nil
}

// GetSoftwareUpdates implements api.Service: for a device in the field,
// from its shipment to the customer until it is sent back (spec §5.3).
func (p *Provider) GetSoftwareUpdates(ctx context.Context, in *api.GetSoftwareUpdatesRequest) (*api.GetSoftwareUpdatesResult, error) {
	j, _, err := p.job(ctx, *in.JobId)
	if err != nil {
		return nil, err
	}
	if !deviceOut(&j) {
		return nil, invalidState("The job %s is %s: software updates are for devices in transit to you or with you.", j.ID, j.State)
	}
	return &api.GetSoftwareUpdatesResult{UpdatesURI: ptr(p.presign(ctx, fileUpdates, j.ID, updatesURLLifetime))}, nil
}

// labelStatus is the state of a requested label at now.
func (p *Provider) labelStatus(l *labelDoc, now time.Time) api.ShippingLabelStatus {
	if now.Before(l.RequestedAt.Add(p.opts.LabelDuration)) {
		return api.ShippingLabelStatusInProgress
	}
	return api.ShippingLabelStatusSucceeded
}

func (p *Provider) labelExpires(l *labelDoc) time.Time {
	return l.RequestedAt.Add(p.opts.LabelDuration + labelValidity)
}

// CreateReturnShippingLabel implements api.Service: for a device with the
// customer; one label at a time (spec §9).
func (p *Provider) CreateReturnShippingLabel(ctx context.Context, in *api.CreateReturnShippingLabelRequest) (*api.CreateReturnShippingLabelResult, error) {
	var status api.ShippingLabelStatus
	err := p.updateJob(ctx, *in.JobId, func(g *store.SnowballGroup, i int, now time.Time) error {
		j := &g.Jobs[i]
		if j.State != string(api.JobStateWithCustomer) {
			return invalidState("The job %s is %s: a return label can be created only while the device is WithCustomer.", j.ID, j.State)
		}
		d, err := decodeJob(j)
		if err != nil {
			return err
		}
		if in.ShippingOption != nil && *in.ShippingOption == api.ShippingOptionSTANDARD &&
			d.ShippingOption != nil && *d.ShippingOption != api.ShippingOptionSTANDARD {
			// Return legs are booked at the outbound speed or faster.
			return combination("The job %s shipped %s; its return cannot be booked STANDARD.", j.ID, *d.ShippingOption)
		}
		if l := d.Label; l != nil && now.Before(p.labelExpires(l)) {
			if p.labelStatus(l, now) == api.ShippingLabelStatusInProgress {
				return &api.ConflictException{ConflictResource: ptr(j.ID),
					Message: ptr("A return shipping label for job " + j.ID + " is still being generated.")}
			}
			return &api.ReturnShippingLabelAlreadyExistsException{Message: ptr(
				"Job " + j.ID + " already has a valid return shipping label: call DescribeReturnShippingLabel.")}
		}
		opt := in.ShippingOption
		if opt == nil {
			opt = d.ShippingOption
		}
		d.Label = &labelDoc{RequestedAt: now, ShippingOption: opt}
		j.Data = d.encode()
		status = p.labelStatus(d.Label, now)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &api.CreateReturnShippingLabelResult{Status: &status}, nil
}

// DescribeReturnShippingLabel implements api.Service.
func (p *Provider) DescribeReturnShippingLabel(ctx context.Context, in *api.DescribeReturnShippingLabelRequest) (*api.DescribeReturnShippingLabelResult, error) {
	j, d, err := p.job(ctx, *in.JobId)
	if err != nil {
		return nil, err
	}
	if d.Label == nil {
		if !reached(&j, api.JobStateWithCustomer) {
			return nil, invalidState("The job %s is %s: its device has not reached you, so it has no return label.", j.ID, j.State)
		}
		return nil, invalidResource("ReturnShippingLabel", "No return shipping label was requested for job %s.", j.ID)
	}
	now := p.clock.Now()
	out := &api.DescribeReturnShippingLabelResult{Status: ptr(p.labelStatus(d.Label, now))}
	if *out.Status == api.ShippingLabelStatusSucceeded {
		out.ExpirationDate = ptr(p.labelExpires(d.Label))
		if now.Before(*out.ExpirationDate) {
			out.ReturnShippingLabelURI = ptr(p.presign(ctx, fileLabel, j.ID, labelURLLifetime))
		}
	}
	return out, nil
}

// GetSnowballUsage implements api.Service.
func (p *Provider) GetSnowballUsage(ctx context.Context, _ *api.GetSnowballUsageRequest) (*api.GetSnowballUsageResult, error) {
	if err := p.catchUp(ctx, false); err != nil {
		return nil, err
	}
	n, err := p.st.CountSnowballJobs(ctx, account(ctx), inUseStates)
	if err != nil {
		return nil, err
	}
	return &api.GetSnowballUsageResult{SnowballLimit: ptr(int32(p.opts.Limit)), SnowballsInUse: ptr(int32(n))}, nil
}
