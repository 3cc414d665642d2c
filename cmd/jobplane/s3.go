package main

import "context"

// s3Config is the S3 API and the object store's part of the configuration.
type s3Config struct{}

// s3Options are the S3 API and the object store's settings.
var s3Options = []option{}

// setupS3 builds the S3 API and the object store's provider.
func setupS3(ctx context.Context, env *environment, p *providers) error {
	return nil
}
