package snowball

import (
	"context"
	"errors"
	"testing"
	"time"

	api "github.com/jobplane/jobplane/internal/api/snowball"
	"github.com/jobplane/jobplane/internal/apierror"
	"github.com/jobplane/jobplane/internal/caller"
	"github.com/jobplane/jobplane/internal/clock"
	"github.com/jobplane/jobplane/internal/store/sqlite"
)

const (
	testAccount = "123456789012"
	stage       = time.Hour
)

var epoch = time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)

// harness is a provider over a fresh store with a fake clock.
type harness struct {
	t     *testing.T
	p     *Provider
	clock *clock.Fake
	db    *sqlite.DB
	dir   string
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	h := &harness{t: t, clock: clock.NewFake(epoch), dir: t.TempDir()}
	h.open()
	return h
}

// open (re)opens the store and builds a provider over it, as a restart does.
func (h *harness) open() {
	h.t.Helper()
	db, err := sqlite.Open(context.Background(), h.dir)
	if err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(func() { db.Close() })
	secret, err := db.Secret(context.Background(), SecretName)
	if err != nil {
		h.t.Fatal(err)
	}
	p, err := New(Options{Store: db, Clock: h.clock, Region: "us-east-1", StageDuration: stage,
		LabelDuration: 5 * time.Minute, Limit: 2, Secret: secret, BaseURL: "http://jobplane.test"})
	if err != nil {
		h.t.Fatal(err)
	}
	h.p, h.db = p, db
}

func ctxOf(acct string) context.Context {
	return caller.With(context.Background(), caller.Info{AccountID: acct, Region: "us-east-1"})
}

func (h *harness) ctx() context.Context { return ctxOf(testAccount) }

func (h *harness) address() string {
	h.t.Helper()
	out, err := h.p.CreateAddress(h.ctx(), &api.CreateAddressRequest{Address: &api.Address{Name: ptr("Jane Doe"),
		Street1: ptr("1 Main St"), City: ptr("Seattle"), StateOrProvince: ptr("WA"), Country: ptr("US"),
		PostalCode: ptr("98101"), PhoneNumber: ptr("425-555-5555")}})
	if err != nil {
		h.t.Fatal(err)
	}
	return *out.AddressId
}

func (h *harness) job(jobType api.JobType, t api.SnowballType, buckets ...string) string {
	h.t.Helper()
	in := &api.CreateJobRequest{JobType: &jobType, SnowballType: &t, AddressId: ptr(h.address()),
		ShippingOption: ptr(api.ShippingOptionSECONDDAY), Description: ptr("test job")}
	if len(buckets) > 0 {
		in.Resources = &api.JobResource{}
		for _, b := range buckets {
			in.Resources.S3Resources = append(in.Resources.S3Resources, api.S3Resource{BucketArn: ptr("arn:aws:s3:::" + b)})
		}
	}
	out, err := h.p.CreateJob(h.ctx(), in)
	if err != nil {
		h.t.Fatal(err)
	}
	return *out.JobId
}

func (h *harness) describe(id string) *api.DescribeJobResult {
	h.t.Helper()
	out, err := h.p.DescribeJob(h.ctx(), &api.DescribeJobRequest{JobId: &id})
	if err != nil {
		h.t.Fatal(err)
	}
	return out
}

func (h *harness) state(id string) api.JobState {
	h.t.Helper()
	return *h.describe(id).JobMetadata.JobState
}

func (h *harness) wantState(id string, want api.JobState) {
	h.t.Helper()
	if got := h.state(id); got != want {
		h.t.Fatalf("job %s is %s, want %s", id, got, want)
	}
}

func (h *harness) shipment(id string, s api.ShipmentState) error {
	_, err := h.p.UpdateJobShipmentState(h.ctx(), &api.UpdateJobShipmentStateRequest{JobId: &id, ShipmentState: &s})
	return err
}

// wantCode checks that err is the AWS error code.
func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	c, ok := apierror.As(err)
	if !ok || c.ErrorCode() != code {
		t.Fatalf("error = %v, want %s", err, code)
	}
}

func TestNewRefusesBadOptions(t *testing.T) {
	t.Parallel()
	secret := make([]byte, 32)
	db, err := sqlite.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, o := range []Options{
		{Store: db, StageDuration: time.Hour, Secret: secret[:8]},
		{Store: db, StageDuration: 0, Secret: secret},
		{StageDuration: time.Hour, Secret: secret},
		{Store: db, StageDuration: time.Hour, LabelDuration: -1, Secret: secret},
	} {
		if _, err := New(o); err == nil {
			t.Errorf("New(%+v) succeeded", o)
		}
	}
}

func TestAccountsSeeOnlyTheirOwnResources(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	id := h.job(api.JobTypeIMPORT, api.SnowballTypeEDGE, "bucket-a")
	other := ctxOf("999999999999")
	if _, err := h.p.DescribeJob(other, &api.DescribeJobRequest{JobId: &id}); err == nil {
		t.Fatal("another account described the job")
	} else {
		wantCode(t, err, "InvalidResourceException")
	}
	list, err := h.p.ListJobs(other, &api.ListJobsRequest{})
	if err != nil || len(list.JobListEntries) != 0 {
		t.Fatalf("another account listed %v, %v", list, err)
	}
	addr := *h.describe(id).JobMetadata.AddressId
	if _, err := h.p.DescribeAddress(other, &api.DescribeAddressRequest{AddressId: &addr}); err == nil {
		t.Fatal("another account described the address")
	}
	_, err = h.p.CancelJob(other, &api.CancelJobRequest{JobId: &id})
	wantCode(t, err, "InvalidResourceException")
	h.wantState(id, api.JobStateNew)
}

func TestUnlockCodeAndManifestWorkTogether(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	id := h.job(api.JobTypeLOCALUSE, api.SnowballTypeV35C)
	_, err := h.p.GetJobUnlockCode(h.ctx(), &api.GetJobUnlockCodeRequest{JobId: &id})
	wantCode(t, err, "InvalidJobStateException")
	h.clock.Advance(3 * stage)
	if err := h.shipment(id, api.ShipmentStateRECEIVED); err != nil {
		t.Fatal(err)
	}
	code, err := h.p.GetJobUnlockCode(h.ctx(), &api.GetJobUnlockCodeRequest{JobId: &id})
	if err != nil || len(*code.UnlockCode) != 29 {
		t.Fatalf("unlock code %v, %v", code, err)
	}
	j, err := h.db.SnowballJob(h.ctx(), testAccount, id)
	if err != nil {
		t.Fatal(err)
	}
	file, _, err := h.p.fileContent(fileManifest, &j)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := OpenManifest(file, id, *code.UnlockCode); err != nil {
		t.Fatalf("the unlock code does not open the manifest: %v", err)
	}
	if _, err := OpenManifest(file, id, "aaaaa-aaaaa-aaaaa-aaaaa-aaaaa"); err == nil {
		t.Fatal("another code opened the manifest")
	}
	// A restart keeps the code: it derives from the stored secret.
	h.open()
	again, err := h.p.GetJobUnlockCode(h.ctx(), &api.GetJobUnlockCodeRequest{JobId: &id})
	if err != nil || *again.UnlockCode != *code.UnlockCode {
		t.Fatalf("after a restart the code is %v (%v), want %s", again, err, *code.UnlockCode)
	}
}

func TestUsageCountsDevicesInUse(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	usage := func() int32 {
		out, err := h.p.GetSnowballUsage(h.ctx(), &api.GetSnowballUsageRequest{})
		if err != nil || *out.SnowballLimit != 2 {
			t.Fatalf("usage %v, %v", out, err)
		}
		return *out.SnowballsInUse
	}
	a := h.job(api.JobTypeIMPORT, api.SnowballTypeEDGE, "bucket-a")
	h.job(api.JobTypeLOCALUSE, api.SnowballTypeEDGE)
	if n := usage(); n != 0 {
		t.Fatalf("new jobs use %d devices, want 0", n)
	}
	h.clock.Advance(stage)
	if n := usage(); n != 2 {
		t.Fatalf("two prepared devices count %d, want 2", n)
	}
	_ = a
	if _, err := h.p.CancelJob(h.ctx(), &api.CancelJobRequest{JobId: &a}); !errors.As(err, new(*api.InvalidJobStateException)) {
		t.Fatalf("cancel after New = %v", err)
	}
}
