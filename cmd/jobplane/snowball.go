package main

import "context"

// snowballConfig is the Snowball job-management API's part of the configuration.
type snowballConfig struct{}

// snowballOptions are the Snowball job-management API's settings.
var snowballOptions = []option{}

// setupSnowball builds the Snowball job-management API's provider.
func setupSnowball(ctx context.Context, env *environment, p *providers) error {
	return nil
}
