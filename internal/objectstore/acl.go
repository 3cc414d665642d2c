package objectstore

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// Group grantee URIs (Amazon S3 User Guide, "Access control list (ACL)
// overview": Amazon S3 predefined groups).
const (
	AllUsers           = "http://acs.amazonaws.com/groups/global/AllUsers"
	AuthenticatedUsers = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
	LogDelivery        = "http://acs.amazonaws.com/groups/s3/LogDelivery"
)

// Permissions of a grant.
const (
	PermFullControl = "FULL_CONTROL"
	PermRead        = "READ"
	PermWrite       = "WRITE"
	PermReadACP     = "READ_ACP"
	PermWriteACP    = "WRITE_ACP"
)

// CanonicalID returns the canonical user id jobplane gives an account: 64
// hex digits, as S3's are, derived from the account id so that it is the
// same on every node and after every restart.
func CanonicalID(account string) string {
	sum := sha256.Sum256([]byte("jobplane canonical user " + account))
	return hex.EncodeToString(sum[:])
}

// OwnerOf returns the ACL owner for an account.
func OwnerOf(account string) Owner { return Owner{ID: CanonicalID(account)} }

func userGrant(account, perm string) Grant {
	return Grant{Grantee: Grantee{Type: GranteeCanonicalUser, ID: CanonicalID(account)}, Permission: perm}
}

func groupGrant(uri, perm string) Grant {
	return Grant{Grantee: Grantee{Type: GranteeGroup, URI: uri}, Permission: perm}
}

// PrivateACL is the ACL of a resource nobody changed: its owner has
// FULL_CONTROL.
func PrivateACL(owner string) ACL {
	id := CanonicalID(owner)
	return ACL{Owner: Owner{ID: id}, Grants: []Grant{{Grantee: Grantee{Type: GranteeCanonicalUser, ID: id}, Permission: PermFullControl}}}
}

// CannedACL expands a canned ACL (Amazon S3 User Guide, "Canned ACL") for a
// resource owned by owner in a bucket owned by bucketOwner. ok is false for
// a name that is not a canned ACL.
func CannedACL(name, owner, bucketOwner string) (acl ACL, ok bool) {
	acl = PrivateACL(owner)
	switch name {
	case "private":
	case "public-read":
		acl.Grants = append(acl.Grants, groupGrant(AllUsers, PermRead))
	case "public-read-write":
		acl.Grants = append(acl.Grants, groupGrant(AllUsers, PermRead), groupGrant(AllUsers, PermWrite))
	case "authenticated-read":
		acl.Grants = append(acl.Grants, groupGrant(AuthenticatedUsers, PermRead))
	case "aws-exec-read":
		// EC2 is granted READ to fetch AMI bundles; its canonical id is not
		// published, so jobplane records the owner's grant only.
	case "bucket-owner-read":
		if bucketOwner != owner {
			acl.Grants = append(acl.Grants, userGrant(bucketOwner, PermRead))
		}
	case "bucket-owner-full-control":
		if bucketOwner != owner {
			acl.Grants = append(acl.Grants, userGrant(bucketOwner, PermFullControl))
		}
	case "log-delivery-write":
		acl.Grants = append(acl.Grants, groupGrant(LogDelivery, PermWrite), groupGrant(LogDelivery, PermReadACP))
	default:
		return ACL{}, false
	}
	return acl, true
}

// ParseGrantHeader parses an x-amz-grant-* header ('id="...", uri="...",
// emailAddress="..."', comma-separated) into grants of perm.
func ParseGrantHeader(perm, h string) ([]Grant, error) {
	var grants []Grant
	for item := range strings.SplitSeq(h, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		k, v, ok := strings.Cut(item, "=")
		v = strings.Trim(strings.TrimSpace(v), `"`)
		if !ok || v == "" {
			return nil, ErrInvalidArgument("Invalid grant header", "x-amz-grant-"+strings.ToLower(strings.ReplaceAll(perm, "_", "-")), h)
		}
		var g Grantee
		switch strings.ToLower(strings.TrimSpace(k)) {
		case "id":
			g = Grantee{Type: GranteeCanonicalUser, ID: v}
		case "uri":
			g = Grantee{Type: GranteeGroup, URI: v}
		case "emailaddress":
			g = Grantee{Type: GranteeEmail, EmailAddress: v}
		default:
			return nil, ErrInvalidArgument("Invalid grant header", "x-amz-grant-"+strings.ToLower(strings.ReplaceAll(perm, "_", "-")), h)
		}
		grants = append(grants, Grant{Grantee: g, Permission: perm})
	}
	return grants, nil
}

// ValidateACL checks the grants of an ACL a client sent: each grantee has
// the field its type needs, groups are S3's, and e-mail grantees (which S3
// resolves only in some Regions) are refused as S3 does where it cannot.
func ValidateACL(acl ACL) error {
	for _, g := range acl.Grants {
		switch g.Grantee.Type {
		case GranteeCanonicalUser:
			if g.Grantee.ID == "" {
				return ErrMalformedACL()
			}
		case GranteeGroup:
			switch g.Grantee.URI {
			case AllUsers, AuthenticatedUsers, LogDelivery:
			default:
				return ErrInvalidArgument("Invalid group uri", "uri", g.Grantee.URI)
			}
		case GranteeEmail:
			return newErr("UnresolvableGrantByEmailAddress", 400,
				"The e-mail address you provided does not match any account on record.").With("EmailAddressProvided", g.Grantee.EmailAddress)
		default:
			return ErrMalformedACL()
		}
		switch g.Permission {
		case PermFullControl, PermRead, PermWrite, PermReadACP, PermWriteACP:
		default:
			return ErrMalformedACL()
		}
	}
	return nil
}

// ErrMalformedACL is returned for an ACL document S3 cannot use.
func ErrMalformedACL() error {
	return newErr("MalformedACLError", 400, "The XML you provided was not well-formed or did not validate against our published schema")
}

// Allows reports whether the ACL gives account perm, directly, through
// FULL_CONTROL, or through a group it belongs to (every caller is in
// AllUsers; a signed caller is in AuthenticatedUsers).
func (a ACL) Allows(account string, authenticated bool, perm string) bool {
	id := CanonicalID(account)
	if a.Owner.ID == id && (perm == PermReadACP || perm == PermWriteACP) {
		return true // an owner can always read and write its ACL
	}
	for _, g := range a.Grants {
		if g.Permission != perm && g.Permission != PermFullControl {
			continue
		}
		switch {
		case g.Grantee.Type == GranteeCanonicalUser && g.Grantee.ID == id:
			return true
		case g.Grantee.Type == GranteeGroup && g.Grantee.URI == AllUsers:
			return true
		case g.Grantee.Type == GranteeGroup && g.Grantee.URI == AuthenticatedUsers && authenticated:
			return true
		}
	}
	return false
}
