package snowball

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	api "github.com/jobplane/jobplane/internal/api/snowball"
)

// TestListJobsPagesCompletelyUnderConcurrentCreates pages with random page
// sizes while other jobs are being created: every job that existed when
// paging began is listed exactly once, newest first.
func TestListJobsPagesCompletelyUnderConcurrentCreates(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	addr := h.address()
	create := func() string {
		out, err := h.p.CreateJob(h.ctx(), &api.CreateJobRequest{JobType: ptr(api.JobTypeLOCALUSE), SnowballType: ptr(api.SnowballTypeV35C),
			AddressId: &addr, ShippingOption: ptr(api.ShippingOptionNEXTDAY)})
		if err != nil {
			t.Error(err)
			return ""
		}
		return *out.JobId
	}
	existing := map[string]bool{}
	for i := range 150 {
		if i%7 == 0 {
			h.clock.Advance(time.Millisecond) // several jobs share an instant
		}
		existing[create()] = true
	}
	for round := range 3 {
		stop := make(chan struct{})
		var wg sync.WaitGroup
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
					create()
				}
			}
		})
		seen := map[string]bool{}
		var token *string
		var last time.Time
		for {
			max := int32(rand.IntN(12))
			out, err := h.p.ListJobs(h.ctx(), &api.ListJobsRequest{MaxResults: &max, NextToken: token})
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range out.JobListEntries {
				if seen[*e.JobId] {
					t.Fatalf("round %d: %s listed twice", round, *e.JobId)
				}
				if !last.IsZero() && e.CreationDate.After(last) {
					t.Fatalf("round %d: not newest first", round)
				}
				seen[*e.JobId], last = true, *e.CreationDate
			}
			if out.NextToken == nil {
				break
			}
			token = out.NextToken
		}
		close(stop)
		wg.Wait()
		for id := range existing {
			if !seen[id] {
				t.Fatalf("round %d: %s was skipped", round, id)
			}
		}
	}
}

func TestNextTokensAreBoundToAccountAndOperation(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	for range 3 {
		h.job(api.JobTypeLOCALUSE, api.SnowballTypeEDGE)
	}
	one := int32(1)
	out, err := h.p.ListJobs(h.ctx(), &api.ListJobsRequest{MaxResults: &one})
	if err != nil || out.NextToken == nil {
		t.Fatalf("first page %v, %v", out, err)
	}
	tok := *out.NextToken
	flipped := []byte(tok)
	flipped[len(flipped)/2] ^= 1
	tests := []struct {
		name string
		call func() error
	}{
		{"an altered token", func() error {
			_, err := h.p.ListJobs(h.ctx(), &api.ListJobsRequest{NextToken: ptr(string(flipped))})
			return err
		}},
		{"a token of another account", func() error {
			_, err := h.p.ListJobs(ctxOf("210987654321"), &api.ListJobsRequest{NextToken: &tok})
			return err
		}},
		{"a token of another operation", func() error {
			_, err := h.p.ListClusters(h.ctx(), &api.ListClustersRequest{NextToken: &tok})
			return err
		}},
		{"a made-up token", func() error {
			_, err := h.p.DescribeAddresses(h.ctx(), &api.DescribeAddressesRequest{NextToken: ptr("bm90LWEtdG9rZW4")})
			return err
		}},
		{"a token of a list without entries", func() error {
			_, err := h.p.ListCompatibleImages(h.ctx(), &api.ListCompatibleImagesRequest{NextToken: &tok})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name+" is InvalidNextTokenException", func(t *testing.T) {
			wantCode(t, tt.call(), "InvalidNextTokenException")
		})
	}
	t.Run("ListPickupLocations, which models no token error, answers InvalidResourceException", func(t *testing.T) {
		_, err := h.p.ListPickupLocations(h.ctx(), &api.ListPickupLocationsRequest{NextToken: &tok})
		wantCode(t, err, "InvalidResourceException")
	})
	t.Run("a token is still good after a restart", func(t *testing.T) {
		h.open()
		out, err := h.p.ListJobs(h.ctx(), &api.ListJobsRequest{NextToken: &tok})
		if err != nil || len(out.JobListEntries) != 2 {
			t.Fatalf("after restart: %v, %v", out, err)
		}
	})
}

func TestPageSizes(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in   *int32
		want int
	}{{nil, defaultPageSize}, {ptr(int32(0)), defaultPageSize}, {ptr(int32(1)), 1}, {ptr(int32(100)), 100}} {
		if got := pageSize(tt.in); got != tt.want {
			t.Errorf("pageSize(%v) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestStaticListsPage(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	var got []string
	var token *string
	one := int32(1)
	for range 10 {
		out, err := h.p.ListServiceVersions(h.ctx(), &api.ListServiceVersionsRequest{ServiceName: ptr(api.ServiceNameKUBERNETES),
			MaxResults: &one, NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range out.ServiceVersions {
			got = append(got, *v.Version)
		}
		if token = out.NextToken; token == nil {
			break
		}
	}
	if want := "1.29 1.28 1.27 1.26 1.25"; strings.Join(got, " ") != want {
		t.Fatalf("versions %v, want %s", got, want)
	}
	dep := []api.DependentService{{ServiceName: ptr(api.ServiceNameEKSANYWHERE), ServiceVersion: &api.ServiceVersion{Version: ptr("0.16.5")}}}
	out, err := h.p.ListServiceVersions(h.ctx(), &api.ListServiceVersionsRequest{ServiceName: ptr(api.ServiceNameKUBERNETES), DependentServices: dep})
	if err != nil || fmt.Sprint(len(out.ServiceVersions)) != "3" {
		t.Fatalf("Kubernetes for EKS-A 0.16.5: %v, %v", out, err)
	}
}
