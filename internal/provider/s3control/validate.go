package s3control

import (
	"regexp"

	api "github.com/jobplane/jobplane/internal/api/s3control"
	"github.com/jobplane/jobplane/internal/objectstore"
)

// The gateway has checked every constraint of the model (required members,
// enums, lengths, ranges, patterns) before CreateJob runs. This file checks
// the service rules the model cannot say (spec §4, §11 item 2), each a
// BadRequestException. The model's ARN patterns are unanchored prefixes
// (`arn:[^:]+:s3:.*`); jobplane requires the whole value to be well formed.

// MaxTags is how many tags a job may carry (spec §4.1; PutJobTagging docs).
const MaxTags = 50

var (
	// roleARN: an IAM role, with an optional path (IAM role names are
	// [\w+=,.@-]{1,64}).
	roleARN = regexp.MustCompile(`^arn:[a-z-]+:iam::\d{12}:role/([\w+=,.@-]+/)*[\w+=,.@-]{1,64}$`)
	// bucketARN: a general-purpose bucket, arn:aws:s3:::name.
	bucketARN = regexp.MustCompile(`^arn:[a-z-]+:s3:::([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])$`)
	// directoryBucketARN: a directory bucket (S3PutObjectCopy may target one).
	directoryBucketARN = regexp.MustCompile(`^arn:[a-z-]+:s3express:[a-z0-9-]+:\d{12}:bucket/[a-z0-9][a-z0-9.-]*--x-s3$`)
	// objectARN: an object of a general-purpose bucket, arn:aws:s3:::name/key.
	objectARN = regexp.MustCompile(`^arn:[a-z-]+:s3:::([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])/(.+)$`)
)

// isBucketARN reports whether s is the ARN of a general-purpose bucket whose
// name follows S3's naming rules.
func isBucketARN(s string) bool {
	m := bucketARN.FindStringSubmatch(s)
	return m != nil && objectstore.ValidBucketName(m[1])
}

// isObjectARN reports whether s is the ARN of an object in a general-purpose
// bucket whose name follows S3's naming rules.
func isObjectARN(s string) bool {
	m := objectARN.FindStringSubmatch(s)
	return m != nil && objectstore.ValidBucketName(m[1])
}

// validateCreateJob checks the service rules of a CreateJob request and
// returns the name of its operation (OperationName).
func validateCreateJob(in *api.CreateJobRequest) (string, error) {
	switch {
	case in.Manifest != nil && in.ManifestGenerator != nil:
		return "", badRequest("A job can have either a Manifest or a ManifestGenerator, not both.")
	case in.Manifest == nil && in.ManifestGenerator == nil:
		return "", badRequest("A job needs a Manifest or a ManifestGenerator.")
	}
	op, n := OperationName(in.Operation)
	if n != 1 {
		return "", badRequest("A job must specify exactly one operation; this request specifies %d.", n)
	}
	if !roleARN.MatchString(deref(in.RoleArn)) {
		return "", badRequest("RoleArn %q is not the ARN of an IAM role.", deref(in.RoleArn))
	}
	if in.Manifest != nil {
		if err := validateManifest(in.Manifest); err != nil {
			return "", err
		}
	}
	if in.ManifestGenerator != nil {
		if err := validateGenerator(in.ManifestGenerator); err != nil {
			return "", err
		}
	}
	if err := validateReport(in.Report); err != nil {
		return "", err
	}
	if err := validateOperation(in.Operation); err != nil {
		return "", err
	}
	if len(in.Tags) > MaxTags {
		return "", badRequest("A job can have at most %d tags; this request has %d.", MaxTags, len(in.Tags))
	}
	if k, dup := duplicateKey(in.Tags); dup {
		return "", badRequest("The tag key %q appears more than once; tag keys must be unique.", k)
	}
	return op, nil
}

func validateManifest(m *api.JobManifest) error {
	if m.Location != nil && !isObjectARN(deref(m.Location.ObjectArn)) {
		return badRequest("Manifest ObjectArn %q is not the ARN of an object (arn:aws:s3:::bucket/key).", deref(m.Location.ObjectArn))
	}
	if m.Spec == nil || deref(m.Spec.Format) != api.JobManifestFormatS3BatchOperationsCSV20180820 {
		return nil
	}
	// A CSV manifest's columns must name the object: Bucket and Key once
	// each, VersionId at most once, any number of Ignore (spec §7.1).
	count := map[api.JobManifestFieldName]int{}
	for _, f := range m.Spec.Fields {
		count[f]++
	}
	switch {
	case len(m.Spec.Fields) == 0:
		return badRequest("A manifest in format %s needs Fields.", api.JobManifestFormatS3BatchOperationsCSV20180820)
	case count[api.JobManifestFieldNameBucket] != 1 || count[api.JobManifestFieldNameKey] != 1:
		return badRequest("Manifest Fields must name Bucket and Key exactly once.")
	case count[api.JobManifestFieldNameVersionId] > 1:
		return badRequest("Manifest Fields may name VersionId at most once.")
	}
	return nil
}

func validateGenerator(g *api.JobManifestGenerator) error {
	s := g.S3JobManifestGenerator
	if s == nil {
		return badRequest("ManifestGenerator needs an S3JobManifestGenerator.")
	}
	if !isBucketARN(deref(s.SourceBucket)) {
		return badRequest("SourceBucket %q is not the ARN of a bucket (arn:aws:s3:::bucket).", deref(s.SourceBucket))
	}
	if deref(s.EnableManifestOutput) && s.ManifestOutputLocation == nil {
		return badRequest("ManifestOutputLocation is required when EnableManifestOutput is true.")
	}
	if loc := s.ManifestOutputLocation; loc != nil && !isBucketARN(deref(loc.Bucket)) {
		return badRequest("ManifestOutputLocation Bucket %q is not the ARN of a bucket (arn:aws:s3:::bucket).", deref(loc.Bucket))
	}
	return nil
}

func validateReport(r *api.JobReport) error {
	if r == nil {
		return nil // the gateway refuses a missing Report: it is required
	}
	if deref(r.Enabled) && r.Bucket == nil {
		return badRequest("A report that is enabled needs a Bucket.")
	}
	if r.Bucket != nil && !isBucketARN(*r.Bucket) {
		return badRequest("Report Bucket %q is not the ARN of a bucket (arn:aws:s3:::bucket).", *r.Bucket)
	}
	return nil
}

// validateOperation checks what an operation cannot run without where the
// model leaves it optional.
func validateOperation(op *api.JobOperation) error {
	if l := op.LambdaInvoke; l != nil {
		if deref(l.FunctionArn) == "" {
			return badRequest("LambdaInvoke needs a FunctionArn.")
		}
		switch v := deref(l.InvocationSchemaVersion); v {
		case "", "1.0", "2.0":
			if len(l.UserArguments) > 0 && v != "2.0" {
				return badRequest("LambdaInvoke UserArguments need InvocationSchemaVersion 2.0.")
			}
		default:
			return badRequest("LambdaInvoke InvocationSchemaVersion must be 1.0 or 2.0, not %q.", v)
		}
	}
	if c := op.S3PutObjectCopy; c != nil {
		t := deref(c.TargetResource)
		if !isBucketARN(t) && !directoryBucketARN.MatchString(t) {
			return badRequest("S3PutObjectCopy TargetResource %q is not the ARN of a bucket.", t)
		}
	}
	return nil
}

// duplicateKey returns a key that appears twice in tags.
func duplicateKey(tags []api.S3Tag) (string, bool) {
	seen := make(map[string]bool, len(tags))
	for _, t := range tags {
		k := deref(t.Key)
		if seen[k] {
			return k, true
		}
		seen[k] = true
	}
	return "", false
}
