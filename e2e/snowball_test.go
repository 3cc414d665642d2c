package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awssnowball "github.com/aws/aws-sdk-go-v2/service/snowball"
	"github.com/aws/aws-sdk-go-v2/service/snowball/types"
)

// snowballClient is an aws-sdk-go-v2 Snowball client (AWS JSON 1.1) for
// the server at url, acting as account.
func snowballClient(url, account string) *awssnowball.Client {
	return awssnowball.New(awssnowball.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(url), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider(account, "secret", ""),
		HTTPClient:  sdkHTTPClient(),
	})
}

func snowballAddress(t *testing.T, c *awssnowball.Client) string {
	t.Helper()
	out, err := c.CreateAddress(context.Background(), &awssnowball.CreateAddressInput{Address: &types.Address{
		Name: aws.String("Jane Doe"), Street1: aws.String("1 Main St"), City: aws.String("Seattle"),
		StateOrProvince: aws.String("WA"), Country: aws.String("US"), PostalCode: aws.String("98101"),
		PhoneNumber: aws.String("425-555-5555")}})
	if err != nil {
		t.Fatal(err)
	}
	return *out.AddressId
}

func snowballState(t *testing.T, c *awssnowball.Client, id string) types.JobState {
	t.Helper()
	out, err := c.DescribeJob(context.Background(), &awssnowball.DescribeJobInput{JobId: &id})
	if err != nil {
		t.Fatal(err)
	}
	return out.JobMetadata.JobState
}

func advanceSnowball(t *testing.T, url, id string, times int) {
	t.Helper()
	for range times {
		resp, err := http.Post(url+"/_jobplane/snowball/jobs/"+id+"/advance", "", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("advancing %s answered %d", id, resp.StatusCode)
		}
	}
}

// TestSnowballWritesSurviveKill9 kills the server with SIGKILL while
// concurrent clients are creating jobs, and restarts it on the same data:
// every write it acknowledged (jobs, a cancellation, state changes, a
// cluster, a pricing record, an address) is there.
func TestSnowballWritesSurviveKill9(t *testing.T) {
	p := start(t, "", "--snowball-stage-duration", "1000h")
	c := snowballClient(p.url, "424242424242")
	ctx := context.Background()
	addr := snowballAddress(t, c)
	cancelled, err := c.CreateJob(ctx, &awssnowball.CreateJobInput{JobType: types.JobTypeLocalUse,
		SnowballType: types.SnowballTypeV35c, AddressId: &addr, ShippingOption: types.ShippingOptionNextDay})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CancelJob(ctx, &awssnowball.CancelJobInput{JobId: cancelled.JobId}); err != nil {
		t.Fatal(err)
	}
	advanced, err := c.CreateJob(ctx, &awssnowball.CreateJobInput{JobType: types.JobTypeLocalUse,
		SnowballType: types.SnowballTypeV35c, AddressId: &addr, ShippingOption: types.ShippingOptionNextDay})
	if err != nil {
		t.Fatal(err)
	}
	advanceSnowball(t, p.url, *advanced.JobId, 4)
	cl, err := c.CreateCluster(ctx, &awssnowball.CreateClusterInput{JobType: types.JobTypeLocalUse, SnowballType: types.SnowballTypeV35c,
		AddressId: &addr, ShippingOption: types.ShippingOptionNextDay, InitialClusterSize: aws.Int32(3)})
	if err != nil {
		t.Fatal(err)
	}
	ltp, err := c.CreateLongTermPricing(ctx, &awssnowball.CreateLongTermPricingInput{LongTermPricingType: types.LongTermPricingTypeOneYear,
		SnowballType: types.SnowballTypeV35c})
	if err != nil {
		t.Fatal(err)
	}

	// Writers create jobs until the server dies under them; the kill
	// comes once 200 creations have been acknowledged.
	var mu sync.Mutex
	var jobs []string
	acked := make(chan struct{}, 200)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for {
				out, err := c.CreateJob(ctx, &awssnowball.CreateJobInput{JobType: types.JobTypeLocalUse,
					SnowballType: types.SnowballTypeV35c, AddressId: &addr, ShippingOption: types.ShippingOptionNextDay})
				if err != nil {
					return // the server is gone
				}
				mu.Lock()
				jobs = append(jobs, *out.JobId)
				mu.Unlock()
				select {
				case acked <- struct{}{}:
				default: // counted enough already
				}
			}
		})
	}
	for range 200 {
		select {
		case <-acked:
		case <-time.After(30 * time.Second):
			t.Fatal("the writers stopped before the kill")
		}
	}
	p.cmd.Process.Kill() // SIGKILL: no shutdown, no checkpoint
	<-p.exited
	wg.Wait()
	jobs = append(jobs, *cancelled.JobId, *advanced.JobId)

	p = start(t, p.dataDir, "--snowball-stage-duration", "1000h")
	c = snowballClient(p.url, "424242424242")
	seen := map[string]bool{}
	pages := awssnowball.NewListJobsPaginator(c, &awssnowball.ListJobsInput{MaxResults: aws.Int32(50)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range page.JobListEntries {
			seen[*e.JobId] = true
		}
	}
	for _, id := range jobs {
		if !seen[id] {
			t.Fatalf("acknowledged job %s is gone after kill -9 (%d of %d listed)", id, len(seen), len(jobs)+3)
		}
	}
	if s := snowballState(t, c, *cancelled.JobId); s != types.JobStateCancelled {
		t.Errorf("cancelled job is %s after kill -9", s)
	}
	if s := snowballState(t, c, *advanced.JobId); s != types.JobStateWithCustomer {
		t.Errorf("advanced job is %s after kill -9", s)
	}
	if _, err := c.DescribeCluster(ctx, &awssnowball.DescribeClusterInput{ClusterId: cl.ClusterId}); err != nil {
		t.Errorf("cluster after kill -9: %v", err)
	}
	if out, err := c.ListLongTermPricing(ctx, &awssnowball.ListLongTermPricingInput{}); err != nil ||
		len(out.LongTermPricingEntries) != 1 || *out.LongTermPricingEntries[0].LongTermPricingId != *ltp.LongTermPricingId {
		t.Errorf("long-term pricing after kill -9: %+v, %v", out, err)
	}
	if _, err := c.DescribeAddress(ctx, &awssnowball.DescribeAddressInput{AddressId: &addr}); err != nil {
		t.Errorf("address after kill -9: %v", err)
	}
}

// TestSnowballClockResumesAfterARestart checks that the stages a job went
// through while the server was down are accounted for at the next start, from
// the stored stage times rather than from the restart.
func TestSnowballClockResumesAfterARestart(t *testing.T) {
	const stage = 2 * time.Second
	p := start(t, "", "--snowball-stage-duration", stage.String())
	c := snowballClient(p.url, "434343434343")
	addr := snowballAddress(t, c)
	before := time.Now()
	out, err := c.CreateJob(context.Background(), &awssnowball.CreateJobInput{JobType: types.JobTypeLocalUse,
		SnowballType: types.SnowballTypeV35c, AddressId: &addr, ShippingOption: types.ShippingOptionNextDay})
	if err != nil {
		t.Fatal(err)
	}
	after := time.Now()
	p.cmd.Process.Kill()
	<-p.exited
	// The server stays down for two and a half stages of real time: that
	// passing time is what this test is about.
	<-time.After(time.Until(after.Add(5 * stage / 2)))

	p = start(t, p.dataDir, "--snowball-stage-duration", stage.String())
	c = snowballClient(p.url, "434343434343")
	seq := []types.JobState{types.JobStateNew, types.JobStatePreparingAppliance, types.JobStatePreparingShipment,
		types.JobStateInTransitToCustomer, types.JobStateWithCustomer}
	lo := int(time.Since(after) / stage)
	got := snowballState(t, c, *out.JobId)
	hi := min(int(time.Since(before)/stage), len(seq)-1)
	i := slices.Index(seq, got)
	if i < 2 || i < lo || i > hi {
		t.Fatalf("after the restart the job is %s; between %s and %s was expected", got, seq[lo], seq[hi])
	}
}

// TestSnowballWithInstantLabels runs the boto3 suite against a server whose
// return labels generate at once.
func TestSnowballWithInstantLabels(t *testing.T) {
	requireTool(t, "python3 with boto3", haveBoto3())
	p := start(t, "", "--snowball-label-duration", "0s")
	runPython(t, []string{"JOBPLANE_URL=" + p.url, "JOBPLANE_SNOWBALL_INSTANT_LABELS=1"}, "python/test_snowball_api.py", "-v")
}

// cli runs `aws SERVICE --output json ARGS...` with env (which names the
// server); it returns the parsed JSON output, or the error text.
func cli(t *testing.T, env []string, service string, args ...string) (map[string]any, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "aws", append([]string{service, "--output", "json"}, args...)...)
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil {
		if len(out) == 0 {
			return nil, err.Error()
		}
		return nil, string(out)
	}
	var v map[string]any
	if len(strings.TrimSpace(string(out))) > 0 {
		if err := json.Unmarshal(out, &v); err != nil {
			t.Fatalf("aws %s %v printed %s", service, args, out)
		}
	}
	return v, ""
}

// cliChecks returns ok, which runs a command of the service that must
// succeed and returns its output, and fails, which runs one that must fail
// with the error code given.
func cliChecks(t *testing.T, env []string, service string) (ok func(args ...string) map[string]any, fails func(code string, args ...string)) {
	ok = func(args ...string) map[string]any {
		t.Helper()
		v, errText := cli(t, env, service, args...)
		if errText != "" {
			t.Fatalf("aws %s %v: %s", service, args, errText)
		}
		return v
	}
	fails = func(code string, args ...string) {
		t.Helper()
		if _, errText := cli(t, env, service, args...); !strings.Contains(errText, "("+code+")") {
			t.Errorf("aws %s %v: %q, want %s", service, args, errText, code)
		}
	}
	return ok, fails
}

// TestSnowballAWSCLI drives every operation with `aws snowball`, and meets
// every error code jobplane raises.
func TestSnowballAWSCLI(t *testing.T) {
	requireTool(t, "the AWS CLI", haveCLI())
	p := start(t, "")
	env := append(cleanAWSEnv(), "AWS_ENDPOINT_URL="+p.url, "AWS_ACCESS_KEY_ID=515151515151",
		"AWS_SECRET_ACCESS_KEY=secret", "AWS_DEFAULT_REGION=us-east-1", "AWS_MAX_ATTEMPTS=1")
	ok, fails := cliChecks(t, env, "snowball")
	addrJSON := `{"Name":"Jane Doe","Street1":"1 Main St","City":"Seattle","StateOrProvince":"WA","Country":"US","PostalCode":"98101","PhoneNumber":"425-555-5555"}`
	addr := ok("create-address", "--address", addrJSON)["AddressId"].(string)
	ok("describe-address", "--address-id", addr)
	ok("describe-addresses")
	ltp := ok("create-long-term-pricing", "--long-term-pricing-type", "OneYear", "--snowball-type", "V3_5C")["LongTermPricingId"].(string)
	ok("list-long-term-pricing")
	ok("update-long-term-pricing", "--long-term-pricing-id", ltp, "--is-long-term-pricing-auto-renew")
	ok("list-compatible-images")
	job := ok("create-job", "--job-type", "IMPORT", "--snowball-type", "V3_5C", "--address-id", addr, "--shipping-option", "SECOND_DAY",
		"--resources", `{"S3Resources":[{"BucketArn":"arn:aws:s3:::cli-bucket"}]}`, "--long-term-pricing-id", ltp)["JobId"].(string)
	ok("describe-job", "--job-id", job)
	if v := ok("list-jobs"); !strings.Contains(fmt.Sprint(v["JobListEntries"]), job) {
		t.Fatalf("list-jobs does not show %s: %v", job, v)
	}
	ok("update-job", "--job-id", job, "--description", "from the CLI")
	advanceSnowball(t, p.url, job, 4)
	if code := ok("get-job-unlock-code", "--job-id", job)["UnlockCode"].(string); len(code) != 29 {
		t.Fatalf("unlock code %q", code)
	}
	ok("get-job-manifest", "--job-id", job)
	ok("get-software-updates", "--job-id", job)
	ok("create-return-shipping-label", "--job-id", job)
	ok("describe-return-shipping-label", "--job-id", job)
	fails("ConflictException", "create-return-shipping-label", "--job-id", job)
	ok("update-job-shipment-state", "--job-id", job, "--shipment-state", "RETURNED")
	doomed := ok("create-job", "--job-type", "LOCAL_USE", "--snowball-type", "EDGE", "--address-id", addr, "--shipping-option", "NEXT_DAY")["JobId"].(string)
	ok("cancel-job", "--job-id", doomed)
	cluster := ok("create-cluster", "--job-type", "LOCAL_USE", "--snowball-type", "EDGE", "--address-id", addr,
		"--shipping-option", "NEXT_DAY", "--initial-cluster-size", "10")["ClusterId"].(string)
	ok("describe-cluster", "--cluster-id", cluster)
	ok("list-clusters")
	ok("list-cluster-jobs", "--cluster-id", cluster)
	ok("update-cluster", "--cluster-id", cluster, "--description", "cli cluster")
	fails("ClusterLimitExceededException", "create-job", "--cluster-id", cluster)
	ok("cancel-cluster", "--cluster-id", cluster)
	ok("get-snowball-usage")
	ok("list-pickup-locations")
	ok("list-service-versions", "--service-name", "EKS_ANYWHERE")

	unknown := "123e4567-e89b-12d3-a456-426655440000"
	fails("InvalidResourceException", "describe-job", "--job-id", "JID"+unknown)
	fails("InvalidJobStateException", "cancel-job", "--job-id", job)
	fails("InvalidInputCombinationException", "create-job", "--job-type", "EXPORT", "--snowball-type", "SNC1_HDD",
		"--address-id", addr, "--shipping-option", "NEXT_DAY", "--resources", `{"S3Resources":[{"BucketArn":"arn:aws:s3:::cli-bucket"}]}`)
	fails("KMSRequestFailedException", "create-job", "--job-type", "LOCAL_USE", "--snowball-type", "EDGE", "--address-id", addr,
		"--shipping-option", "NEXT_DAY", "--kms-key-arn", "arn:aws:kms:us-east-1:000011112222:key/1234abcd-12ab-34cd-56ef-1234567890ab")
	fails("Ec2RequestFailedException", "create-job", "--job-type", "LOCAL_USE", "--snowball-type", "EDGE", "--address-id", addr,
		"--shipping-option", "NEXT_DAY", "--resources", `{"Ec2AmiResources":[{"AmiId":"ami-12345678"}]}`)
	fails("InvalidNextTokenException", "list-jobs", "--starting-token", "bm90LWEtdG9rZW4", "--max-items", "1")
	fails("InvalidAddressException", "create-address", "--address", strings.Replace(addrJSON, "98101", "ABCDE", 1))
	fails("UnsupportedAddressException", "create-address", "--address", strings.Replace(addrJSON, `"WA"`, `"GU"`, 1))
	fails("ValidationException", "describe-job", "--job-id", "JID-not-a-real-job-id-000000000000000000")
}

func TestSnowballEndpointRefusesForgedAndUnknownRequests(t *testing.T) {
	p := start(t, "")
	for _, tt := range []struct {
		name, method, path string
		want               int
	}{
		{"a forged manifest URL is refused", "GET", "/_jobplane/snowball/files/manifest/JID123e4567-e89b-12d3-a456-426655440000_manifest.bin?X-Jobplane-Account=1&X-Jobplane-Expires=9999999999&X-Jobplane-Signature=00", 403},
		{"an unknown job cannot be advanced", "POST", "/_jobplane/snowball/jobs/JID123e4567-e89b-12d3-a456-426655440000/advance", 404},
		{"an unknown path is not found", "GET", "/_jobplane/snowball/nothing", 404},
	} {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, p.url+tt.path, nil)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Fatalf("%s %s answered %d, want %d", tt.method, tt.path, resp.StatusCode, tt.want)
			}
		})
	}
	var apiErr interface{ ErrorCode() string }
	_, err := snowballClient(p.url, "616161616161").DescribeJob(context.Background(), &awssnowball.DescribeJobInput{JobId: aws.String("JID123e4567-e89b-12d3-a456-426655440000")})
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "InvalidResourceException" {
		t.Fatalf("DescribeJob of an unknown job: %v", err)
	}
}
