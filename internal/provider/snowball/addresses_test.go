package snowball

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	api "github.com/jobplane/jobplane/internal/api/snowball"
)

func TestAddressValidation(t *testing.T) {
	t.Parallel()
	good := api.Address{Name: ptr("Jane"), Street1: ptr("1 Main St"), City: ptr("Seattle"), StateOrProvince: ptr("wa"),
		Country: ptr("usa"), PostalCode: ptr("98101"), PhoneNumber: ptr("(425) 555-5555")}
	with := func(f func(a *api.Address)) api.Address {
		a := good
		f(&a)
		return a
	}
	tests := []struct {
		name   string
		addr   api.Address
		region string
		want   string
	}{
		{"a complete US address is accepted", good, "us-east-1", ""},
		{"a region not in the table serves every shipping country", with(func(a *api.Address) {
			a.Country, a.StateOrProvince, a.PostalCode = ptr("Japan"), nil, ptr("141-0021")
		}), "xx-test-1", ""},
		{"a missing street is invalid", with(func(a *api.Address) { a.Street1 = nil }), "us-east-1", "InvalidAddressException"},
		{"a blank name is invalid", with(func(a *api.Address) { a.Name = ptr("  ") }), "us-east-1", "InvalidAddressException"},
		{"an unknown country is invalid", with(func(a *api.Address) { a.Country = ptr("Narnia") }), "us-east-1", "InvalidAddressException"},
		{"a US ZIP code of four digits is invalid", with(func(a *api.Address) { a.PostalCode = ptr("9810") }), "us-east-1", "InvalidAddressException"},
		{"a US address without a state is invalid", with(func(a *api.Address) { a.StateOrProvince = nil }), "us-east-1", "InvalidAddressException"},
		{"a state that does not exist is invalid", with(func(a *api.Address) { a.StateOrProvince = ptr("ZZ") }), "us-east-1", "InvalidAddressException"},
		{"a phone number with six digits is invalid", with(func(a *api.Address) { a.PhoneNumber = ptr("555-555") }), "us-east-1", "InvalidAddressException"},
		{"a US territory is not served", with(func(a *api.Address) { a.StateOrProvince = ptr("Puerto Rico") }), "us-east-1", "UnsupportedAddressException"},
		{"a country Snowball does not ship to is not served", with(func(a *api.Address) {
			a.Country, a.StateOrProvince, a.PostalCode = ptr("Iceland"), nil, ptr("101")
		}), "xx-test-1", "UnsupportedAddressException"},
		{"an address outside the region's area is not served", with(func(a *api.Address) {
			a.Country, a.StateOrProvince, a.PostalCode = ptr("DE"), nil, ptr("60314")
		}), "us-east-1", "UnsupportedAddressException"},
		{"a German address is served from Frankfurt", with(func(a *api.Address) {
			a.Country, a.StateOrProvince, a.PostalCode = ptr("Germany"), nil, ptr("60314")
		}), "eu-central-1", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := normalizeAddress(tt.addr, tt.region)
			if tt.want != "" {
				wantCode(t, err, tt.want)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if *got.Type != api.AddressTypeAWSSHIP || len(*got.Country) != 2 {
				t.Fatalf("normalised to %+v", got)
			}
		})
	}
	if a, _ := normalizeAddress(good, "us-east-1"); *a.Country != "US" || *a.StateOrProvince != "WA" {
		t.Fatalf("country and state come back as codes, not %s %s", *a.Country, *a.StateOrProvince)
	}
}

func TestRunMovesJobsWithoutReads(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	id := h.job(api.JobTypeLOCALUSE, api.SnowballTypeEDGE)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); h.p.Run(ctx) }()
	defer func() { cancel(); <-done }()
	deadline := time.Now().Add(10 * time.Second)
	poll := func(what string, done func() bool) {
		t.Helper()
		for !done() {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s", what)
			}
			<-time.After(time.Millisecond)
		}
	}
	// Advance only once the loop waits on the clock, so that its wait
	// starts from the old time.
	poll("the loop to wait", func() bool { return h.clock.Waiters() > 0 })
	h.clock.Advance(stage)
	poll("the stored job to move", func() bool {
		j, err := h.db.SnowballJob(h.ctx(), testAccount, id)
		return err == nil && j.State == string(api.JobStatePreparingAppliance)
	})
}

func TestAdvanceEndpoint(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	srv := httptest.NewServer(h.p.Handler())
	defer srv.Close()
	post := func(id string) (int, jobState) {
		t.Helper()
		resp, err := http.Post(srv.URL+EndpointPrefix+"jobs/"+id+"/advance", "", nil)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var s jobState
		json.NewDecoder(resp.Body).Decode(&s)
		return resp.StatusCode, s
	}
	main := h.job(api.JobTypeEXPORT, api.SnowballTypeEDGE, "adv-bucket")
	for _, want := range []api.JobState{api.JobStateListing, api.JobStateInProgress} {
		if code, s := post(main); code != 200 || s.JobState != string(want) {
			t.Fatalf("advance: %d %+v, want %s", code, s, want)
		}
	}
	if code, _ := post(main); code != http.StatusConflict {
		t.Fatalf("advancing a main job that follows its parts answered %d", code)
	}
	part := *h.describe(main).SubJobMetadata[0].JobId
	for range 9 {
		if code, _ := post(part); code != 200 {
			t.Fatalf("advance part: %d", code)
		}
	}
	h.wantState(part, api.JobStateComplete)
	h.wantState(main, api.JobStateComplete)
	if code, _ := post(part); code != http.StatusConflict {
		t.Fatalf("advancing a complete job answered %d", code)
	}
	resp, err := http.Get(srv.URL + EndpointPrefix + "jobs/" + part)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("state endpoint: %v %v", resp, err)
	}
	resp.Body.Close()
}
