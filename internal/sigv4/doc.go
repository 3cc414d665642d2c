// Package sigv4 verifies AWS Signature Version 4 on the server side: the
// Authorization header and presigned-URL forms, the payload hash claims S3
// clients send in X-Amz-Content-Sha256, and aws-chunked bodies with chunk
// and trailer signatures.
//
// The flow for one request is:
//
//	q, err := sigv4.Parse(r)          // cheap; (nil, nil) when anonymous
//	cred, err := creds.Verify(r, q, now, bodyHash)
//	if sigv4.IsStreaming(q.PayloadHash) {
//		opts, err := sigv4.ChunkedOptionsFor(r, q, cred.SecretAccessKey)
//		body := sigv4.NewChunkedReader(r.Body, opts)
//		...
//	}
//
// With authentication off the gateway still calls Parse, to learn the
// access key id and so the caller's account, and decodes aws-chunked bodies
// with ChunkedOptionsFor(r, q, "") which checks framing but no signatures.
//
// Every failure is an *Error whose Kind the gateway maps to the error code
// of the service being called (S3's SignatureDoesNotMatch, Snowball's
// InvalidSignatureException, ...); this package knows nothing of those codes.
//
// # Credentials file
//
// LoadCredentials reads the access keys jobplane accepts from a text file
// with one key per line:
//
//	# access key id        secret access key                          account
//	AKIAIOSFODNN7EXAMPLE   wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY   123456789012
//	AKIAI44QH8DHBEXAMPLE,je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY,210987654321
//
// Fields are separated by spaces, tabs or commas (any mix, any count). Blank
// lines and lines whose first non-blank character is '#' are ignored; a '#'
// elsewhere is part of a field, because secrets may contain it. The account
// id must be exactly 12 digits, the access key id must not contain '/'
// (it would split the credential scope), and an access key id may appear
// only once. Errors name the offending line number.
//
// # References
//
// The canonical request, string to sign and key derivation follow "Create a
// signed AWS API request" in the IAM user guide; S3's variants (single URI
// encoding, the X-Amz-Content-Sha256 claims, presigned URLs) follow the S3
// API reference pages "Authenticating Requests (AWS Signature Version 4)",
// "Signature Calculations for the Authorization Header: Transferring Payload
// in Multiple Chunks (Chunked Upload)" and "Signature calculations for
// trailing headers (chunked uploads)".
package sigv4
