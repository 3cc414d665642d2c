// Package s3control is the s3control API, generated from the checked-in AWS service model
// (internal/api/models/s3control.json and its patch).
package s3control

//go:generate go run ../gen -service s3control
