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

// Long-term pricing (spec §8, docs/snowball.md): a term starts when it is
// created and lasts one month, one year or three years; an auto-renewing
// term rolls over at its end, any other expires. Jobs name the record they
// use, and the record lists them.

// pricingDoc is the stored document of a long-term pricing record.
type pricingDoc struct {
	LongTermPricingType        *api.LongTermPricingType
	SnowballType               *api.SnowballType
	IsLongTermPricingAutoRenew *bool   `json:",omitempty"`
	ReplacementJob             *string `json:",omitempty"`
}

// Values of LongTermPricingStatus, which the model leaves free text.
const (
	pricingActive  = "ACTIVE"
	pricingExpired = "EXPIRED"
)

func decodePricing(data []byte) (*pricingDoc, error) {
	var d pricingDoc
	if err := json.Unmarshal(data, &d); err != nil {
		return nil, fmt.Errorf("snowball: long-term pricing document: %w", err)
	}
	return &d, nil
}

// term returns the end of a term of type t that starts at start.
func term(t api.LongTermPricingType, start time.Time) time.Time {
	switch t {
	case api.LongTermPricingTypeOneMonth:
		return start.AddDate(0, 1, 0)
	case api.LongTermPricingTypeThreeYear:
		return start.AddDate(3, 0, 0)
	}
	return start.AddDate(1, 0, 0)
}

// CreateLongTermPricing implements api.Service. Long-term pricing is sold
// for the devices of the device table that have it; the original Snowball
// (STANDARD) was only ever priced per job.
func (p *Provider) CreateLongTermPricing(ctx context.Context, in *api.CreateLongTermPricingRequest) (*api.CreateLongTermPricingResult, error) {
	if d, ok := deviceOf(*in.SnowballType); !ok || !d.longTermPricing {
		return nil, invalidResource("SnowballType", "Long-term pricing is not available for %s devices.", *in.SnowballType)
	}
	doc := pricingDoc{LongTermPricingType: in.LongTermPricingType, SnowballType: in.SnowballType,
		IsLongTermPricingAutoRenew: in.IsLongTermPricingAutoRenew}
	data, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	rec := store.SnowballPricing{Account: account(ctx), ID: newID("LTPID"), CreatedAt: p.clock.Now(), Data: data}
	if err := p.st.CreateSnowballPricing(ctx, rec); err != nil {
		return nil, err
	}
	return &api.CreateLongTermPricingResult{LongTermPricingId: &rec.ID}, nil
}

// ListLongTermPricing implements api.Service.
func (p *Provider) ListLongTermPricing(ctx context.Context, in *api.ListLongTermPricingRequest) (*api.ListLongTermPricingResult, error) {
	if err := p.catchUp(ctx, false); err != nil {
		return nil, err
	}
	recs, next, err := keysetPage(ctx, p, "ListLongTermPricing", "", in.NextToken, in.MaxResults,
		func(after *store.SnowballCursor, n int) ([]store.SnowballPricing, error) {
			return p.st.ListSnowballPricing(ctx, account(ctx), after, n)
		},
		func(r store.SnowballPricing) (time.Time, string) { return r.CreatedAt, r.ID })
	if err != nil {
		return nil, err
	}
	out := &api.ListLongTermPricingResult{LongTermPricingEntries: []api.LongTermPricingListEntry{}, NextToken: next}
	now := p.clock.Now()
	for _, r := range recs {
		e, err := p.pricingEntry(ctx, r, now)
		if err != nil {
			return nil, err
		}
		out.LongTermPricingEntries = append(out.LongTermPricingEntries, e)
	}
	return out, nil
}

// pricingEntry renders a record as it stands at now.
func (p *Provider) pricingEntry(ctx context.Context, r store.SnowballPricing, now time.Time) (api.LongTermPricingListEntry, error) {
	d, err := decodePricing(r.Data)
	if err != nil {
		return api.LongTermPricingListEntry{}, err
	}
	start := r.CreatedAt
	end := term(*d.LongTermPricingType, start)
	status := pricingActive
	for !now.Before(end) {
		if !derefOr(d.IsLongTermPricingAutoRenew, false) {
			status = pricingExpired
			break
		}
		start, end = end, term(*d.LongTermPricingType, end)
	}
	e := api.LongTermPricingListEntry{LongTermPricingId: ptr(r.ID), LongTermPricingStartDate: ptr(start),
		LongTermPricingEndDate: ptr(end), LongTermPricingType: d.LongTermPricingType, ReplacementJob: d.ReplacementJob,
		IsLongTermPricingAutoRenew: d.IsLongTermPricingAutoRenew, LongTermPricingStatus: ptr(status),
		SnowballType: d.SnowballType, JobIds: []string{}}
	// A device under long-term pricing runs one job at a time; more than a
	// hundred jobs on one record is beyond what the entry reports.
	jobs, err := p.st.ListSnowballJobs(ctx, store.SnowballJobQuery{Account: r.Account, LongTermPricingID: r.ID, Limit: 100})
	if err != nil {
		return e, err
	}
	for i := len(jobs) - 1; i >= 0; i-- {
		e.JobIds = append(e.JobIds, jobs[i].ID)
		if !terminal(jobs[i].State) {
			e.CurrentActiveJob = ptr(jobs[i].ID)
		}
	}
	return e, nil
}

// UpdateLongTermPricing implements api.Service.
func (p *Provider) UpdateLongTermPricing(ctx context.Context, in *api.UpdateLongTermPricingRequest) (*api.UpdateLongTermPricingResult, error) {
	if in.ReplacementJob != nil {
		if _, err := p.st.SnowballJob(ctx, account(ctx), *in.ReplacementJob); errors.Is(err, store.ErrSnowballNotFound) {
			return nil, invalidResource("ReplacementJob", "The job %s does not exist.", *in.ReplacementJob)
		} else if err != nil {
			return nil, err
		}
	}
	err := p.st.UpdateSnowballPricing(ctx, account(ctx), *in.LongTermPricingId, func(r *store.SnowballPricing) error {
		d, err := decodePricing(r.Data)
		if err != nil {
			return err
		}
		set(&d.ReplacementJob, in.ReplacementJob)
		set(&d.IsLongTermPricingAutoRenew, in.IsLongTermPricingAutoRenew)
		r.Data, err = json.Marshal(d)
		return err
	})
	if errors.Is(err, store.ErrSnowballNotFound) {
		return nil, invalidResource("LongTermPricingId", "The long-term pricing %s does not exist.", *in.LongTermPricingId)
	}
	if err != nil {
		return nil, err
	}
	return &api.UpdateLongTermPricingResult{}, nil
}
