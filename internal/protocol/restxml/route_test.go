package restxml_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	s3api "github.com/jobplane/jobplane/internal/api/s3"
	api "github.com/jobplane/jobplane/internal/api/s3control"
	"github.com/jobplane/jobplane/internal/protocol/restxml"
	"github.com/jobplane/jobplane/internal/schema"
)

// syntheticRequest builds the request a client of op would send: labels
// filled, query literals and required header and query members present.
func syntheticRequest(op *schema.Operation) *http.Request {
	path, query, _ := strings.Cut(op.RequestURI, "?")
	var segs []string
	for _, s := range strings.Split(strings.TrimPrefix(path, "/"), "/") {
		if strings.HasPrefix(s, "{") {
			s = "label"
		}
		segs = append(segs, s)
	}
	q := url.Values{}
	if query != "" {
		for _, kv := range strings.Split(query, "&") {
			k, v, _ := strings.Cut(kv, "=")
			q.Set(k, v)
		}
	}
	h := http.Header{}
	if op.Input != nil {
		for _, name := range op.Input.Required {
			m := op.Input.MemberByName(name)
			switch m.Location {
			case schema.Header:
				h.Set(m.LocationName, "1")
			case schema.Query:
				q.Set(m.LocationName, "1")
			}
		}
	}
	target := "/" + strings.Join(segs, "/")
	if len(q) > 0 {
		target += "?" + q.Encode()
	}
	r := httptest.NewRequest(op.Method, target, nil)
	r.Header = h
	return r
}

func TestEveryOperationRoutesToItselfFromItsOwnRequest(t *testing.T) {
	t.Parallel()
	models := []struct {
		model *schema.Service
		codec *restxml.Codec
	}{{s3api.Model, s3Codec}, {api.Model, controlCodec}}
	for _, m := range models {
		for _, op := range m.model.Operations {
			if op.Unroutable {
				continue
			}
			t.Run(m.model.Name+" "+op.Name+" routes to itself", func(t *testing.T) {
				t.Parallel()
				got, _, err := m.codec.Route(syntheticRequest(op))
				if err != nil {
					t.Fatalf("Route: %v", err)
				}
				// A deprecated operation loses to the current one that shares
				// its route (GetBucketLifecycle → ...Configuration).
				if got != op && !(op.Deprecated && got.RequestURI == op.RequestURI && !got.Deprecated) {
					t.Errorf("routed to %s", got.Name)
				}
			})
		}
	}
}

func TestUnroutableOperationsAreNeverChosen(t *testing.T) {
	t.Parallel()
	for _, op := range s3api.Model.Operations {
		if !op.Unroutable {
			continue
		}
		t.Run(op.Name+" yields its route", func(t *testing.T) {
			t.Parallel()
			got, _, err := s3Codec.Route(syntheticRequest(op))
			if err == nil && got == op {
				t.Errorf("routed to the unroutable %s", op.Name)
			}
		})
	}
}

func TestTheComparerNoticesDifferences(t *testing.T) {
	t.Parallel()
	ours := fullJobDescriptor()
	cases := []struct {
		name   string
		mutate func(*api.JobDescriptor)
	}{
		{"a changed nested number is noticed", func(j *api.JobDescriptor) { j.ProgressSummary.Timers.ElapsedTimeInActiveSeconds = aws.Int64(13) }},
		{"a changed union member is noticed", func(j *api.JobDescriptor) {
			j.ManifestGenerator.S3JobManifestGenerator.Filter.MatchAnyObjectEncryption[0] = api.ObjectEncryptionFilter{SSES3: &api.SSES3Filter{}}
		}},
		{"a dropped list item is noticed", func(j *api.JobDescriptor) { j.FailureReasons = j.FailureReasons[:1] }},
		{"a moved timestamp is noticed", func(j *api.JobDescriptor) { j.CreationTime = aws.Time(created.Add(1)) }},
	}
	srv := &fakeServer{respond: func(*schema.Operation, any) (any, error) { return &api.DescribeJobResult{Job: ours}, nil }}
	out, err := newControlClient(srv).DescribeJob(ctx, describeInput())
	if err != nil {
		t.Fatal(err)
	}
	if diffs := sameAs(ours, out.Job); len(diffs) != 0 {
		t.Fatalf("unchanged descriptor differs: %v", diffs)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			changed := fullJobDescriptor()
			tc.mutate(changed)
			if diffs := sameAs(changed, out.Job); len(diffs) == 0 {
				t.Error("no difference reported")
			}
		})
	}
}
