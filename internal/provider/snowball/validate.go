package snowball

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	api "github.com/jobplane/jobplane/internal/api/snowball"
	"github.com/jobplane/jobplane/internal/store"
)

// ARN forms beyond the model's prefix patterns (spec §2.2 checks only the
// start of each ARN). A malformed ARN names no resource, so it is an
// InvalidResourceException, as for a resource that does not exist.
const partition = `aws(?:-cn|-us-gov|-iso|-iso-b|-iso-e|-iso-f|-eusc)?`

var (
	kmsARN    = regexp.MustCompile(`^arn:` + partition + `:kms:([a-z]{2}(?:-[a-z]+)+-\d):(\d{12}):key/((?:mrk-)?[0-9a-f]{8}-?[0-9a-f-]*|[0-9a-f]{32}|mrk-[0-9a-f]{32})$`)
	roleARN   = regexp.MustCompile(`^arn:` + partition + `:iam::(\d{12}):role/[\w+=,.@/-]{1,512}$`)
	bucketARN = regexp.MustCompile(`^arn:` + partition + `:s3:::([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])$`)
	lambdaARN = regexp.MustCompile(`^arn:` + partition + `:lambda:[a-z]{2}(?:-[a-z]+)+-\d:\d{12}:function:[A-Za-z0-9_-]{1,64}(?::[A-Za-z0-9$_-]{1,128})?$`)
	snsARN    = regexp.MustCompile(`^arn:` + partition + `:sns:[a-z]{2}(?:-[a-z]+)+-\d:\d{12}:[A-Za-z0-9_-]{1,256}(?:\.fifo)?$`)
	anyARN    = regexp.MustCompile(`^arn:` + partition + `:[a-z0-9-]+:[a-z0-9-]*:\d{12}?:.+$`)
)

// checkRole validates a role ARN: well formed and in the caller's account.
func checkRole(ctx context.Context, arn *string) error {
	if arn == nil {
		return nil
	}
	m := roleARN.FindStringSubmatch(*arn)
	if m == nil {
		return invalidResource("RoleARN", "The role ARN %s is not a valid IAM role ARN.", *arn)
	}
	if m[1] != account(ctx) {
		return invalidResource("RoleARN", "The role %s is not in your account.", *arn)
	}
	return nil
}

// checkKMS validates a KMS key ARN. Without KMS, jobplane treats the key's
// policy as granting only its own account in its own region: any other key
// fails as a key Snowball may not use (KMSRequestFailedException).
func (p *Provider) checkKMS(ctx context.Context, arn *string) error {
	if arn == nil {
		return nil
	}
	m := kmsARN.FindStringSubmatch(*arn)
	if m == nil {
		return invalidResource("KmsKeyARN", "The KMS key ARN %s is not a valid KMS key ARN.", *arn)
	}
	if m[2] != account(ctx) || m[1] != p.region(ctx) {
		return &api.KMSRequestFailedException{Message: ptr(fmt.Sprintf(
			"The KMS key %s does not grant Snowball in %s for account %s the permissions it needs.", *arn, p.region(ctx), account(ctx)))}
	}
	return nil
}

// checkNotification validates the SNS topics of a notification.
func checkNotification(n *api.Notification) error {
	if n == nil {
		return nil
	}
	for _, t := range []*string{n.SnsTopicARN, n.DevicePickupSnsTopicARN} {
		if t != nil && !snsARN.MatchString(*t) {
			return invalidResource("SnsTopicARN", "The SNS topic ARN %s is not a valid topic ARN.", *t)
		}
	}
	return nil
}

// checkResources validates the buckets, key ranges, functions and AMIs of a job.
func (p *Provider) checkResources(ctx context.Context, r *api.JobResource) error {
	if r == nil {
		return nil
	}
	for _, s3 := range r.S3Resources {
		if s3.BucketArn == nil {
			return invalidResource("S3Resource", "Every S3 resource needs a BucketArn.")
		}
		if !bucketARN.MatchString(*s3.BucketArn) {
			return invalidResource("BucketArn", "The bucket ARN %s is not a valid S3 bucket ARN.", *s3.BucketArn)
		}
		if kr := s3.KeyRange; kr != nil && kr.BeginMarker != nil && kr.EndMarker != nil && *kr.BeginMarker > *kr.EndMarker {
			// Markers compare in UTF-8 binary order, as Go strings do
			// (spec §5.4); a begin past the end selects no object.
			return invalidResource("KeyRange", "The key range of %s selects no object: BeginMarker %q is after EndMarker %q.",
				*s3.BucketArn, *kr.BeginMarker, *kr.EndMarker)
		}
	}
	for _, l := range r.LambdaResources {
		if l.LambdaArn == nil || !lambdaARN.MatchString(*l.LambdaArn) {
			return invalidResource("LambdaArn", "The Lambda function ARN %s is not valid.", str(l.LambdaArn))
		}
		for _, e := range l.EventTriggers {
			if e.EventResourceARN != nil && !anyARN.MatchString(*e.EventResourceARN) && !bucketARN.MatchString(*e.EventResourceARN) {
				return invalidResource("EventResourceARN", "The event resource ARN %s is not valid.", *e.EventResourceARN)
			}
		}
	}
	if len(r.Ec2AmiResources) > 0 {
		own := compatibleImages(account(ctx))
		for _, a := range r.Ec2AmiResources {
			if !slices.ContainsFunc(own, func(c api.CompatibleImage) bool { return *c.AmiId == str(a.AmiId) }) {
				// The service looks the AMI up in EC2 for the caller; one the
				// caller cannot use fails there (ListCompatibleImages lists
				// the ones that work).
				return &api.Ec2RequestFailedException{Message: ptr(fmt.Sprintf(
					"EC2 DescribeImages failed: the image id '[%s]' does not exist or is not a Snow-compatible image of your account.", str(a.AmiId)))}
			}
		}
	}
	return nil
}

// resolveAddress returns the caller's address with that id, or a pickup
// location of the region.
func (p *Provider) resolveAddress(ctx context.Context, member string, id *string) (*api.Address, error) {
	if id == nil {
		return nil, nil
	}
	for _, loc := range pickupLocations(p.region(ctx)) {
		if *loc.AddressId == *id {
			return &loc, nil
		}
	}
	a, err := p.st.SnowballAddress(ctx, account(ctx), *id)
	if errors.Is(err, store.ErrSnowballNotFound) {
		return nil, invalidResource(member, "The address %s does not exist.", *id)
	}
	if err != nil {
		return nil, err
	}
	return decodeAddress(a.Data)
}

// checkPricing resolves a long-term pricing id of the caller for a device type.
func (p *Provider) checkPricing(ctx context.Context, id *string, t api.SnowballType) error {
	if id == nil {
		return nil
	}
	rec, err := p.st.SnowballPricing(ctx, account(ctx), *id)
	if errors.Is(err, store.ErrSnowballNotFound) {
		return invalidResource("LongTermPricingId", "The long-term pricing %s does not exist.", *id)
	}
	if err != nil {
		return err
	}
	doc, err := decodePricing(rec.Data)
	if err != nil {
		return err
	}
	if str(doc.SnowballType) != string(t) {
		return combination("The long-term pricing %s is for %s devices, not %s.", *id, str(doc.SnowballType), t)
	}
	return nil
}

// checkTax validates tax documents against the shipping address: the
// Indian GSTIN applies to Indian addresses only (spec §7).
func checkTax(tax *api.TaxDocuments, addr *api.Address) error {
	if tax == nil || tax.IND == nil || addr == nil {
		return nil
	}
	if !strings.EqualFold(str(addr.Country), "IN") {
		return combination("Indian tax documents apply to addresses in India, not in %s.", str(addr.Country))
	}
	return nil
}
