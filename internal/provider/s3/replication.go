package s3

import (
	"context"
	"net/http"
	"strings"

	api "github.com/jobplane/jobplane/internal/api/s3"
	"github.com/jobplane/jobplane/internal/apierror"
	"github.com/jobplane/jobplane/internal/objectstore"
)

// GetBucketReplication implements api.Service.
func (p *Provider) GetBucketReplication(ctx context.Context, in *api.GetBucketReplicationRequest) (*api.GetBucketReplicationOutput, error) {
	b, err := p.bucketInfo(ctx, str(in.Bucket), str(in.ExpectedBucketOwner), "")
	if err != nil {
		return nil, err
	}
	if b.Replication == nil {
		return nil, apierror.New("ReplicationConfigurationNotFoundError", http.StatusNotFound,
			"The replication configuration was not found").With("BucketName", b.Name)
	}
	return &api.GetBucketReplicationOutput{ReplicationConfiguration: replicationOut(b.Replication)}, nil
}

// PutBucketReplication implements api.Service. Like S3 it needs versioning
// on the source and on every destination bucket that jobplane holds.
func (p *Provider) PutBucketReplication(ctx context.Context, in *api.PutBucketReplicationRequest) error {
	if _, err := p.bucket(ctx, str(in.Bucket), str(in.ExpectedBucketOwner), ""); err != nil {
		return err
	}
	cfg, err := replicationIn(in.ReplicationConfiguration)
	if err != nil {
		return err
	}
	for _, r := range cfg.Rules {
		dest, ok := strings.CutPrefix(r.Destination.Bucket, "arn:aws:s3:::")
		if !ok || dest == "" {
			return invalidArgument("Invalid bucket ARN.", "Destination", r.Destination.Bucket)
		}
		db, err := p.store.HeadBucket(ctx, dest)
		if objectstore.Code(err) == objectstore.CodeNoSuchBucket {
			return objectstore.ErrInvalidRequest("Destination bucket must exist.")
		}
		if err != nil {
			return err
		}
		if db.Versioning != objectstore.VersioningEnabled {
			return objectstore.ErrInvalidRequest("Destination bucket must have versioning enabled.")
		}
	}
	return p.store.PutBucketReplication(ctx, str(in.Bucket), cfg)
}

// DeleteBucketReplication implements api.Service.
func (p *Provider) DeleteBucketReplication(ctx context.Context, in *api.DeleteBucketReplicationRequest) error {
	if _, err := p.bucket(ctx, str(in.Bucket), str(in.ExpectedBucketOwner), ""); err != nil {
		return err
	}
	return p.store.PutBucketReplication(ctx, str(in.Bucket), nil)
}

func replicationIn(c *api.ReplicationConfiguration) (*objectstore.ReplicationConfiguration, error) {
	if c == nil || len(c.Rules) == 0 {
		return nil, objectstore.ErrMalformedXML()
	}
	cfg := &objectstore.ReplicationConfiguration{Role: str(c.Role)}
	ids := map[string]bool{}
	for _, r := range c.Rules {
		if r.Destination == nil || r.Status == nil {
			return nil, objectstore.ErrMalformedXML()
		}
		rule := objectstore.ReplicationRule{ID: str(r.ID), Priority: r.Priority, Status: string(*r.Status), Prefix: r.Prefix,
			Destination: objectstore.ReplicationDestination{Bucket: str(r.Destination.Bucket), Account: str(r.Destination.Account)}}
		if rule.ID != "" {
			if ids[rule.ID] {
				return nil, invalidArgument("Rule Id must be unique.", "ID", rule.ID)
			}
			ids[rule.ID] = true
		}
		if r.Destination.StorageClass != nil {
			rule.Destination.StorageClass = string(*r.Destination.StorageClass)
		}
		if r.DeleteMarkerReplication != nil && r.DeleteMarkerReplication.Status != nil {
			rule.DeleteMarkerReplication = string(*r.DeleteMarkerReplication.Status)
		}
		if r.ExistingObjectReplication != nil && r.ExistingObjectReplication.Status != nil {
			rule.ExistingObjectReplication = string(*r.ExistingObjectReplication.Status)
		}
		if f := r.Filter; f != nil {
			rule.Filter = &objectstore.ReplicationFilter{Prefix: f.Prefix}
			if f.Tag != nil {
				rule.Filter.Tag = &objectstore.Tag{Key: str(f.Tag.Key), Value: str(f.Tag.Value)}
			}
			if f.And != nil {
				rule.Filter.And = &objectstore.ReplicationAnd{Prefix: f.And.Prefix, Tags: tagsIn(f.And.Tags)}
			}
		}
		if rule.Prefix != nil && rule.Filter != nil {
			return nil, objectstore.ErrMalformedXML()
		}
		cfg.Rules = append(cfg.Rules, rule)
	}
	return cfg, nil
}

func replicationOut(c *objectstore.ReplicationConfiguration) *api.ReplicationConfiguration {
	out := &api.ReplicationConfiguration{Role: ptr(c.Role)}
	for _, r := range c.Rules {
		rule := api.ReplicationRule{ID: strPtr(r.ID), Priority: r.Priority, Status: ptr(api.ReplicationRuleStatus(r.Status)),
			Prefix: r.Prefix, Destination: &api.Destination{Bucket: ptr(r.Destination.Bucket), Account: strPtr(r.Destination.Account)}}
		if r.Destination.StorageClass != "" {
			rule.Destination.StorageClass = ptr(api.StorageClass(r.Destination.StorageClass))
		}
		if r.DeleteMarkerReplication != "" {
			rule.DeleteMarkerReplication = &api.DeleteMarkerReplication{Status: ptr(api.DeleteMarkerReplicationStatus(r.DeleteMarkerReplication))}
		}
		if r.ExistingObjectReplication != "" {
			rule.ExistingObjectReplication = &api.ExistingObjectReplication{Status: ptr(api.ExistingObjectReplicationStatus(r.ExistingObjectReplication))}
		}
		if f := r.Filter; f != nil {
			rule.Filter = &api.ReplicationRuleFilter{Prefix: f.Prefix}
			if f.Tag != nil {
				rule.Filter.Tag = &api.Tag{Key: ptr(f.Tag.Key), Value: ptr(f.Tag.Value)}
			}
			if f.And != nil {
				rule.Filter.And = &api.ReplicationRuleAndOperator{Prefix: f.And.Prefix, Tags: tagsOut(f.And.Tags)}
			}
		}
		out.Rules = append(out.Rules, rule)
	}
	return out
}
