// Package snowball is the snowball API, generated from the checked-in AWS service model
// (internal/api/models/snowball.json and its patch).
package snowball

//go:generate go run ../gen -service snowball
