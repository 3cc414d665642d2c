// Package s3 is the s3 API, generated from the checked-in AWS service model
// (internal/api/models/s3.json and its patch).
package s3

//go:generate go run ../gen -service s3
