package snowball

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awssnowball "github.com/aws/aws-sdk-go-v2/service/snowball"
	"github.com/aws/aws-sdk-go-v2/service/snowball/types"
	"github.com/fxamacker/cbor/v2"

	"github.com/jobplane/jobplane/internal/gateway"
)

// sdkServer serves the provider through the real gateway, with its
// jobplane endpoint, as cmd/jobplane wires them.
func sdkServer(t *testing.T) (*harness, *httptest.Server) {
	h := newHarness(t)
	gw, err := gateway.New(gateway.Options{Region: "us-east-1", S3Domain: "localhost", Snowball: h.p,
		Endpoints: map[string]http.Handler{EndpointPrefix: h.p.Handler()}})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(gw)
	t.Cleanup(ts.Close)
	return h, ts
}

// TestGoSDKDrivesEveryOperation uses aws-sdk-go-v2 (AWS JSON 1.1) for all 27
// operations and meets every error code jobplane raises as the SDK's
// typed error.
func TestGoSDKDrivesEveryOperation(t *testing.T) {
	t.Parallel()
	h, ts := sdkServer(t)
	c := awssnowball.New(awssnowball.Options{Region: "us-east-1", BaseEndpoint: aws.String(ts.URL), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider(testAccount, "secret", "")})
	ctx := context.Background()
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	addr, err := c.CreateAddress(ctx, &awssnowball.CreateAddressInput{Address: &types.Address{Name: aws.String("Jane"),
		Street1: aws.String("1 Main St"), City: aws.String("Seattle"), StateOrProvince: aws.String("Washington"),
		Country: aws.String("United States"), PostalCode: aws.String("98101-1234"), PhoneNumber: aws.String("+1 425 555 5555")}})
	must(addr, err)
	a, err := c.DescribeAddress(ctx, &awssnowball.DescribeAddressInput{AddressId: addr.AddressId})
	must(a, err)
	if *a.Address.Country != "US" || *a.Address.StateOrProvince != "WA" {
		t.Fatalf("address not normalised: %+v", a.Address)
	}
	must(c.DescribeAddresses(ctx, &awssnowball.DescribeAddressesInput{}))
	ltp, err := c.CreateLongTermPricing(ctx, &awssnowball.CreateLongTermPricingInput{LongTermPricingType: types.LongTermPricingTypeOneMonth,
		SnowballType: types.SnowballTypeEdge})
	must(ltp, err)
	must(c.ListLongTermPricing(ctx, &awssnowball.ListLongTermPricingInput{}))
	imgs, err := c.ListCompatibleImages(ctx, &awssnowball.ListCompatibleImagesInput{MaxResults: aws.Int32(1)})
	must(imgs, err)
	if len(imgs.CompatibleImages) != 1 || imgs.NextToken == nil {
		t.Fatalf("one image per page: %+v", imgs)
	}
	job, err := c.CreateJob(ctx, &awssnowball.CreateJobInput{JobType: types.JobTypeLocalUse, SnowballType: types.SnowballTypeEdge,
		AddressId: addr.AddressId, ShippingOption: types.ShippingOptionNextDay, LongTermPricingId: ltp.LongTermPricingId,
		Resources:     &types.JobResource{Ec2AmiResources: []types.Ec2AmiResource{{AmiId: imgs.CompatibleImages[0].AmiId}}},
		PickupDetails: &types.PickupDetails{Name: aws.String("Jo"), IdentificationExpirationDate: aws.Time(epoch.Add(24 * time.Hour))}})
	must(job, err)
	must(c.UpdateLongTermPricing(ctx, &awssnowball.UpdateLongTermPricingInput{LongTermPricingId: ltp.LongTermPricingId, ReplacementJob: job.JobId}))
	must(c.UpdateJob(ctx, &awssnowball.UpdateJobInput{JobId: job.JobId, Description: aws.String("go sdk")}))
	d, err := c.DescribeJob(ctx, &awssnowball.DescribeJobInput{JobId: job.JobId})
	must(d, err)
	if *d.JobMetadata.Description != "go sdk" || !d.JobMetadata.CreationDate.Equal(epoch) ||
		!d.JobMetadata.PickupDetails.IdentificationExpirationDate.Equal(epoch.Add(24*time.Hour)) {
		t.Fatalf("job metadata %+v", d.JobMetadata)
	}
	must(c.ListJobs(ctx, &awssnowball.ListJobsInput{}))
	h.clock.Advance(3 * stage)
	must(c.UpdateJobShipmentState(ctx, &awssnowball.UpdateJobShipmentStateInput{JobId: job.JobId, ShipmentState: types.ShipmentStateReceived}))
	must(c.GetJobUnlockCode(ctx, &awssnowball.GetJobUnlockCodeInput{JobId: job.JobId}))
	man, err := c.GetJobManifest(ctx, &awssnowball.GetJobManifestInput{JobId: job.JobId})
	must(man, err)
	resp, err := http.Get(*man.ManifestURI)
	must(resp, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.HasPrefix(body, []byte(ManifestMagic)) {
		t.Fatalf("manifest download: %d %q", resp.StatusCode, body)
	}
	must(c.GetSoftwareUpdates(ctx, &awssnowball.GetSoftwareUpdatesInput{JobId: job.JobId}))
	must(c.CreateReturnShippingLabel(ctx, &awssnowball.CreateReturnShippingLabelInput{JobId: job.JobId}))
	h.clock.Advance(10 * time.Minute)
	lbl, err := c.DescribeReturnShippingLabel(ctx, &awssnowball.DescribeReturnShippingLabelInput{JobId: job.JobId})
	must(lbl, err)
	if lbl.Status != types.ShippingLabelStatusSucceeded || lbl.ReturnShippingLabelURI == nil {
		t.Fatalf("label %+v", lbl)
	}
	// The presigned URL expires like S3's.
	h.clock.Advance(2 * time.Hour)
	if resp, err := http.Get(*man.ManifestURI); err != nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("an expired manifest URL answered %v, %v", resp.StatusCode, err)
	}
	_, err = c.CreateReturnShippingLabel(ctx, &awssnowball.CreateReturnShippingLabelInput{JobId: job.JobId})
	wantSDK[*types.ReturnShippingLabelAlreadyExistsException](t, err)
	must(c.UpdateJobShipmentState(ctx, &awssnowball.UpdateJobShipmentStateInput{JobId: job.JobId, ShipmentState: types.ShipmentStateReturned}))
	other, err := c.CreateJob(ctx, &awssnowball.CreateJobInput{JobType: types.JobTypeLocalUse, SnowballType: types.SnowballTypeEdge,
		AddressId: addr.AddressId, ShippingOption: types.ShippingOptionNextDay})
	must(other, err)
	must(c.CancelJob(ctx, &awssnowball.CancelJobInput{JobId: other.JobId}))
	cl, err := c.CreateCluster(ctx, &awssnowball.CreateClusterInput{JobType: types.JobTypeLocalUse, SnowballType: types.SnowballTypeEdge,
		AddressId: addr.AddressId, ShippingOption: types.ShippingOptionNextDay, InitialClusterSize: aws.Int32(10)})
	must(cl, err)
	must(c.DescribeCluster(ctx, &awssnowball.DescribeClusterInput{ClusterId: cl.ClusterId}))
	must(c.ListClusters(ctx, &awssnowball.ListClustersInput{}))
	must(c.ListClusterJobs(ctx, &awssnowball.ListClusterJobsInput{ClusterId: cl.ClusterId}))
	must(c.UpdateCluster(ctx, &awssnowball.UpdateClusterInput{ClusterId: cl.ClusterId, Description: aws.String("c")}))
	_, err = c.CreateJob(ctx, &awssnowball.CreateJobInput{ClusterId: cl.ClusterId})
	wantSDK[*types.ClusterLimitExceededException](t, err)
	must(c.CancelCluster(ctx, &awssnowball.CancelClusterInput{ClusterId: cl.ClusterId}))
	must(c.GetSnowballUsage(ctx, &awssnowball.GetSnowballUsageInput{}))
	must(c.ListPickupLocations(ctx, &awssnowball.ListPickupLocationsInput{}))
	must(c.ListServiceVersions(ctx, &awssnowball.ListServiceVersionsInput{ServiceName: types.ServiceNameKubernetes}))

	unknown := aws.String("JID123e4567-e89b-12d3-a456-426655440000")
	_, err = c.DescribeJob(ctx, &awssnowball.DescribeJobInput{JobId: unknown})
	if e := wantSDK[*types.InvalidResourceException](t, err); aws.ToString(e.ResourceType) != "JobId" {
		t.Fatalf("ResourceType %v", e.ResourceType)
	}
	_, err = c.CancelJob(ctx, &awssnowball.CancelJobInput{JobId: job.JobId})
	wantSDK[*types.InvalidJobStateException](t, err)
	_, err = c.CreateJob(ctx, &awssnowball.CreateJobInput{JobType: types.JobTypeExport, SnowballType: types.SnowballTypeSnc1Ssd,
		AddressId: addr.AddressId, ShippingOption: types.ShippingOptionNextDay})
	wantSDK[*types.InvalidInputCombinationException](t, err)
	_, err = c.CreateJob(ctx, &awssnowball.CreateJobInput{JobType: types.JobTypeLocalUse, SnowballType: types.SnowballTypeEdge,
		AddressId: addr.AddressId, ShippingOption: types.ShippingOptionNextDay, KmsKeyARN: aws.String("arn:aws:kms:eu-west-1:" + testAccount + ":key/1234abcd-12ab-34cd-56ef-1234567890ab")})
	wantSDK[*types.KMSRequestFailedException](t, err)
	_, err = c.CreateJob(ctx, &awssnowball.CreateJobInput{JobType: types.JobTypeLocalUse, SnowballType: types.SnowballTypeEdge,
		AddressId: addr.AddressId, ShippingOption: types.ShippingOptionNextDay,
		Resources: &types.JobResource{Ec2AmiResources: []types.Ec2AmiResource{{AmiId: aws.String("ami-12345678")}}}})
	wantSDK[*types.Ec2RequestFailedException](t, err)
	_, err = c.ListJobs(ctx, &awssnowball.ListJobsInput{NextToken: aws.String("forged")})
	wantSDK[*types.InvalidNextTokenException](t, err)
	_, err = c.CreateAddress(ctx, &awssnowball.CreateAddressInput{Address: &types.Address{Name: aws.String("x"), Street1: aws.String("x"),
		City: aws.String("x"), Country: aws.String("US"), StateOrProvince: aws.String("WA"), PostalCode: aws.String("1"), PhoneNumber: aws.String("4255555555")}})
	wantSDK[*types.InvalidAddressException](t, err)
	_, err = c.CreateAddress(ctx, &awssnowball.CreateAddressInput{Address: &types.Address{Name: aws.String("x"), Street1: aws.String("x"),
		City: aws.String("Tokyo"), Country: aws.String("JP"), PostalCode: aws.String("141-0021"), PhoneNumber: aws.String("+81 3 5550 1234")}})
	wantSDK[*types.UnsupportedAddressException](t, err)
	next, err := c.CreateJob(ctx, &awssnowball.CreateJobInput{JobType: types.JobTypeLocalUse, SnowballType: types.SnowballTypeEdge,
		AddressId: addr.AddressId, ShippingOption: types.ShippingOptionNextDay})
	must(next, err)
	h.clock.Advance(4 * stage)
	must(c.CreateReturnShippingLabel(ctx, &awssnowball.CreateReturnShippingLabelInput{JobId: next.JobId}))
	_, err = c.CreateReturnShippingLabel(ctx, &awssnowball.CreateReturnShippingLabelInput{JobId: next.JobId})
	if e := wantSDK[*types.ConflictException](t, err); aws.ToString(e.ConflictResource) != *next.JobId {
		t.Fatalf("ConflictResource %v", e.ConflictResource)
	}
}

func wantSDK[E error](t *testing.T, err error) E {
	t.Helper()
	var e E
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T), want %s", err, err, reflect.TypeFor[E]())
	}
	return e
}

// TestCBORRequests sends RPC v2 CBOR requests built with the CBOR library,
// as the Smithy spec shapes them, and reads the answers. The requests carry
// no credentials: they act as the default account.
func TestCBORRequests(t *testing.T) {
	t.Parallel()
	_, ts := sdkServer(t)
	enc, _ := cbor.EncOptions{Time: cbor.TimeUnix, TimeTag: cbor.EncTagRequired}.EncMode()
	dec, _ := cbor.DecOptions{DefaultMapType: reflect.TypeFor[map[string]any]()}.DecMode()
	call := func(op string, in map[string]any) (int, map[string]any) {
		t.Helper()
		body, err := enc.Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		req, _ := http.NewRequest("POST", ts.URL+"/service/AWSIESnowballJobManagementService/operation/"+op, bytes.NewReader(body))
		req.Header.Set("Smithy-Protocol", "rpc-v2-cbor")
		req.Header.Set("Content-Type", "application/cbor")
		req.Header.Set("Accept", "application/cbor")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		var out map[string]any
		if err := dec.Unmarshal(raw, &out); err != nil {
			t.Fatalf("%s answered %d with a body that is not CBOR: %x", op, resp.StatusCode, raw)
		}
		if resp.Header.Get("Smithy-Protocol") != "rpc-v2-cbor" {
			t.Fatalf("%s: no Smithy-Protocol header", op)
		}
		return resp.StatusCode, out
	}
	status, out := call("CreateAddress", map[string]any{"Address": map[string]any{"Name": "Jane", "Street1": "1 Main St",
		"City": "Seattle", "StateOrProvince": "WA", "Country": "US", "PostalCode": "98101", "PhoneNumber": "425-555-5555"}})
	if status != 200 {
		t.Fatalf("CreateAddress: %d %v", status, out)
	}
	addr := out["AddressId"].(string)
	status, out = call("CreateJob", map[string]any{"JobType": "LOCAL_USE", "SnowballType": "V3_5C", "AddressId": addr,
		"ShippingOption": "NEXT_DAY", "PickupDetails": map[string]any{"IdentificationExpirationDate": epoch}})
	if status != 200 || !strings.HasPrefix(out["JobId"].(string), "JID") {
		t.Fatalf("CreateJob: %d %v", status, out)
	}
	status, out = call("DescribeJob", map[string]any{"JobId": out["JobId"]})
	meta, _ := out["JobMetadata"].(map[string]any)
	if status != 200 || meta["JobState"] != "New" {
		t.Fatalf("DescribeJob: %d %v", status, out)
	}
	if created, ok := meta["CreationDate"].(time.Time); !ok || !created.Equal(epoch) {
		t.Fatalf("CreationDate %T %v, want a tag-1 time", meta["CreationDate"], meta["CreationDate"])
	}
	if status, out = call("GetSnowballUsage", map[string]any{}); status != 200 || out["SnowballLimit"] == nil {
		t.Fatalf("GetSnowballUsage: %d %v", status, out)
	}
	if status, out = call("CancelJob", map[string]any{"JobId": meta["JobId"]}); status != 200 || len(out) != 0 {
		t.Fatalf("CancelJob: %d %v, want an empty map", status, out)
	}
	status, out = call("DescribeCluster", map[string]any{"ClusterId": "CID123e4567-e89b-12d3-a456-426655440000"})
	if status != 400 || out["__type"] != "com.amazonaws.snowball#InvalidResourceException" || out["ResourceType"] != "ClusterId" {
		t.Fatalf("unknown cluster: %d %v", status, out)
	}
}
