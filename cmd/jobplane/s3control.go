package main

import "context"

// s3controlConfig is the S3 Control job API (S3 Batch Operations)'s part of the configuration.
type s3controlConfig struct{}

// s3controlOptions are the S3 Control job API (S3 Batch Operations)'s settings.
var s3controlOptions = []option{}

// setupS3Control builds the S3 Control job API (S3 Batch Operations)'s provider.
func setupS3Control(ctx context.Context, env *environment, p *providers) error {
	return nil
}
