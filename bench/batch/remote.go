package main

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	api "github.com/jobplane/jobplane/internal/api/s3control"
	"github.com/jobplane/jobplane/internal/batch"
	"github.com/jobplane/jobplane/internal/motoserver"
	"github.com/jobplane/jobplane/internal/objectstore/remote"
)

// parallel calls fn(i) for i in [0, n) from workers goroutines.
func parallel(n, workers int, fn func(i int) error) error {
	var next atomic.Int64
	var wg sync.WaitGroup
	var once sync.Once
	var first error
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				if err := fn(i); err != nil {
					once.Do(func() { first = err })
					return
				}
			}
		}()
	}
	wg.Wait()
	return first
}

func benchRemote(ctx context.Context, n, conc int) error {
	fmt.Printf("\nremote: S3PutObjectTagging over %d objects of moto_server, %d requests in flight\n", n, conc)
	url, _, stop, err := motoserver.Start(nil)
	if err != nil {
		return err
	}
	defer stop()
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: conc, MaxConnsPerHost: conc}}
	creds := credentials.NewStaticCredentialsProvider("testing", "testing", "")
	sdk := awss3.New(awss3.Options{Region: "us-east-1", BaseEndpoint: aws.String(url), UsePathStyle: true, Credentials: creds, HTTPClient: hc})
	for _, b := range []string{dataBucket, manifestBucket, reportBucket} {
		if _, err := sdk.CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: aws.String(b)}); err != nil {
			return err
		}
	}
	start := time.Now()
	if err := parallel(n, conc, func(i int) error {
		_, err := sdk.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String(dataBucket), Key: aws.String(objectKey(i)), Body: strings.NewReader("x")})
		return err
	}); err != nil {
		return err
	}
	fmt.Printf("  seeded %d objects in %s\n", n, time.Since(start).Round(time.Millisecond))

	baseline := func(value string) (float64, error) {
		start := time.Now()
		err := parallel(n, conc, func(i int) error {
			_, err := sdk.PutObjectTagging(ctx, &awss3.PutObjectTaggingInput{Bucket: aws.String(dataBucket), Key: aws.String(objectKey(i)),
				Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("baseline"), Value: aws.String(value)}}}})
			return err
		})
		return float64(n) / time.Since(start).Seconds(), err
	}

	store, err := remote.New(ctx, remote.Options{Endpoint: url, PathStyle: true, Region: "us-east-1", Credentials: creds, HTTPClient: hc})
	if err != nil {
		return err
	}
	s, err := openTempStack(ctx, "jobplane-bench-batch-remote", store, batch.Options{JobConcurrency: conc, Concurrency: conc})
	if err != nil {
		return err
	}
	defer s.close()
	m, err := writeManifest(ctx, store, manifestBucket, "remote.csv", dataBucket, n, objectKey)
	if err != nil {
		return err
	}
	engine := func(value string) (float64, error) {
		id, err := s.createJob(&api.JobOperation{S3PutObjectTagging: &api.S3SetObjectTaggingOperation{
			TagSet: []api.S3Tag{{Key: ptr("engine"), Value: ptr(value)}}}}, m, reportBucket)
		if err != nil {
			return 0, err
		}
		_, active, err := s.waitFor(id, time.Millisecond, time.Minute, api.JobStatusActive, api.JobStatusCompleting, api.JobStatusComplete)
		if err != nil {
			return 0, err
		}
		d, completing, err := s.waitFor(id, 2*time.Millisecond, time.Hour, api.JobStatusCompleting, api.JobStatusComplete)
		if err != nil {
			return 0, err
		}
		if _, _, err := s.waitFor(id, 5*time.Millisecond, time.Hour, api.JobStatusComplete); err != nil {
			return 0, err
		}
		if f := deref(deref(d.ProgressSummary).NumberOfTasksFailed); f != 0 {
			return 0, fmt.Errorf("%d tasks failed", f)
		}
		return float64(n) / completing.Sub(active).Seconds(), nil
	}
	// Alternate the two, so that neither always meets a moto_server
	// that has warmed up (or filled up) more.
	var base, eng []float64
	for round := range 2 {
		b, err := baseline(strconv.Itoa(round))
		if err != nil {
			return err
		}
		e, err := engine(strconv.Itoa(round))
		if err != nil {
			return err
		}
		base, eng = append(base, b), append(eng, e)
		fmt.Printf("  round %d: bare aws-sdk-go-v2 loop %.0f req/s, engine %.0f tasks/s (%.0f%%)\n", round+1, b, e, 100*e/b)
	}
	b, e := (base[0]+base[1])/2, (eng[0]+eng[1])/2
	fmt.Printf("  mean: baseline %.0f req/s, engine %.0f tasks/s: %.0f%% of the baseline (target >= 80%%); load average %s\n", b, e, 100*e/b, loadAvg())
	return nil
}
