// Package caller carries who made a request, and where, from the gateway to
// the providers through the request context.
package caller

import "context"

// DefaultAccountID is the account of a caller whose access key does not name
// one (any non-12-digit key with authentication off, or an anonymous request).
const DefaultAccountID = "000000000000"

// Info describes the caller of one request.
type Info struct {
	// AccountID is the caller's 12-digit AWS account id.
	AccountID string
	// AccessKeyID is the access key the request was signed with, or "".
	AccessKeyID string
	// Region is the region jobplane serves.
	Region string
	// RequestID is the id jobplane gave the request (x-amz-request-id).
	RequestID string
	// Authenticated is true when the request's signature was verified.
	Authenticated bool
}

type key struct{}

// With returns a context carrying info.
func With(ctx context.Context, info Info) context.Context {
	return context.WithValue(ctx, key{}, info)
}

// From returns the caller of the request ctx belongs to. Outside a request it
// returns the default account in no region.
func From(ctx context.Context) Info {
	if info, ok := ctx.Value(key{}).(Info); ok {
		return info
	}
	return Info{AccountID: DefaultAccountID}
}

// AccountForAccessKey is the account of a caller when signatures are not
// verified: the access key id itself when it is 12 digits, so that a test can
// act as several accounts without a credentials file, else DefaultAccountID.
func AccountForAccessKey(accessKeyID string) string {
	if IsAccountID(accessKeyID) {
		return accessKeyID
	}
	return DefaultAccountID
}

// IsAccountID reports whether s is a 12-digit account id.
func IsAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
