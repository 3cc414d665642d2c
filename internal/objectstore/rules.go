package objectstore

import (
	"fmt"
	"net"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits S3 enforces (Amazon S3 User Guide: "Naming objects", "Working with
// object metadata", "Categorizing your storage using tags", "Amazon S3
// multipart upload limits").
const (
	MaxKeyLength    = 1024
	MaxUserMetadata = 2048
	MaxObjectTags   = 10
	MaxBucketTags   = 50
	MaxTagKeyLen    = 128
	MaxTagValueLen  = 256
	// MaxPutSize is the largest single PUT, copy source or part: 5 GiB.
	MaxPutSize  = 5 << 30
	MinPartSize = 5 << 20
	MaxParts    = 10000
)

// ValidBucketName reports whether name follows the general purpose bucket
// naming rules (Amazon S3 User Guide, "General purpose bucket naming
// rules"): 3 to 63 lowercase letters, digits, dots and hyphens, starting and
// ending with a letter or digit, no two adjacent dots, not an IPv4 address,
// and none of the reserved prefixes and suffixes.
func ValidBucketName(name string) bool {
	if len(name) < 3 || len(name) > 63 {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-') {
			return false
		}
	}
	first, last := name[0], name[len(name)-1]
	if first == '.' || first == '-' || last == '.' || last == '-' {
		return false
	}
	if strings.Contains(name, "..") || net.ParseIP(name) != nil {
		return false
	}
	for _, p := range []string{"xn--", "sthree-", "amzn-s3-demo-"} {
		if strings.HasPrefix(name, p) {
			return false
		}
	}
	for _, s := range []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"} {
		if strings.HasSuffix(name, s) {
			return false
		}
	}
	return true
}

// ValidateKey checks an object key: at most 1,024 bytes of UTF-8.
func ValidateKey(key string) error {
	if len(key) > MaxKeyLength {
		return ErrKeyTooLong(key)
	}
	if key == "" || !utf8.ValidString(key) {
		return ErrInvalidArgument("Object key is not valid UTF-8 or is empty.", "key", key)
	}
	return nil
}

// ValidateMetadata checks the user metadata's size: the UTF-8 bytes of every
// key and value together, at most 2 KB.
func ValidateMetadata(m Metadata) error {
	n := 0
	for k, v := range m.User {
		n += len(k) + len(v)
	}
	if n > MaxUserMetadata {
		return ErrMetadataTooLarge(n)
	}
	return nil
}

// ValidateObjectTags checks an object's tag set against S3's rules: at most
// 10 tags, unique keys of 1 to 128 characters, values of at most 256,
// letters, digits, white space and + - = . _ : / @ only, and no key in the
// reserved aws: namespace.
func ValidateObjectTags(tags []Tag) error {
	if len(tags) > MaxObjectTags {
		return ErrBadRequest("Object tags cannot be greater than 10")
	}
	return validateTags(tags)
}

// ValidateBucketTags checks a bucket's tag set: at most 50 tags, with the
// object tag rules otherwise.
func ValidateBucketTags(tags []Tag) error {
	if len(tags) > MaxBucketTags {
		return ErrInvalidTag("Bucket tag count cannot be greater than 50")
	}
	return validateTags(tags)
}

func validateTags(tags []Tag) error {
	seen := make(map[string]bool, len(tags))
	for _, t := range tags {
		n := utf8.RuneCountInString(t.Key)
		switch {
		case n == 0 || !validTagText(t.Key):
			return ErrInvalidTag("The TagKey you have provided is invalid")
		case n > MaxTagKeyLen:
			return ErrInvalidTag("The TagKey you have provided is too long, max 128")
		case utf8.RuneCountInString(t.Value) > MaxTagValueLen:
			return ErrInvalidTag("The TagValue you have provided is too long, max 256")
		case !validTagText(t.Value):
			return ErrInvalidTag("The TagValue you have provided is invalid")
		case strings.HasPrefix(strings.ToLower(t.Key), "aws:"):
			return ErrInvalidTag("Your TagKey cannot be prefixed with aws:")
		case seen[t.Key]:
			return ErrInvalidTag("Cannot provide multiple Tags with the same key")
		}
		seen[t.Key] = true
	}
	return nil
}

// validTagText reports whether s uses only the characters S3 allows in tags:
// ^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$.
func validTagText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.In(r, unicode.Z) || unicode.IsNumber(r) {
			continue
		}
		if !strings.ContainsRune("_.:/=+-@", r) {
			return false
		}
	}
	return true
}

// ParseTaggingHeader parses the x-amz-tagging header, a URL query string
// ("k1=v1&k2=v2"), into a tag set in the order given.
func ParseTaggingHeader(h string) ([]Tag, error) {
	if h == "" {
		return nil, nil
	}
	var tags []Tag
	for part := range strings.SplitSeq(h, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		key, err1 := url.QueryUnescape(k)
		val, err2 := url.QueryUnescape(v)
		if err1 != nil || err2 != nil {
			return nil, ErrInvalidArgument("The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates.", "x-amz-tagging", h)
		}
		tags = append(tags, Tag{Key: key, Value: val})
	}
	return tags, nil
}

// ValidateStorageClass checks a storage class for an upload: any class of
// the S3 model except the ones S3 reserves for other products.
func ValidateStorageClass(class string) error {
	switch class {
	case "", "STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING",
		"GLACIER", "DEEP_ARCHIVE", "GLACIER_IR":
		return nil
	}
	return ErrInvalidStorageClass(class)
}

// ErrInvalidStorageClass is returned for a storage class S3 does not take.
func ErrInvalidStorageClass(class string) error {
	return newErr(CodeInvalidStorageClass, 400, "The storage class you specified is not valid").With("StorageClassRequested", class)
}

// ValidateLock checks an upload's Object Lock settings against its bucket:
// they need Object Lock enabled, a mode needs a date and a date a mode
// (S3 User Guide, "Using S3 Object Lock").
func ValidateLock(b Bucket, r Retention, legalHold bool) error {
	if (r.Mode != "") != !r.RetainUntil.IsZero() {
		return ErrInvalidArgument("x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied",
			"x-amz-object-lock-mode", r.Mode)
	}
	if (r.Mode != "" || legalHold) && b.ObjectLock == nil {
		return ErrInvalidRequest("Bucket is missing Object Lock Configuration")
	}
	if r.Mode != "" && r.Mode != LockGovernance && r.Mode != LockCompliance {
		return ErrInvalidArgument("Unknown wormMode directive.", "x-amz-object-lock-mode", r.Mode)
	}
	return nil
}

// ValidateRestore checks a restore request's days and tier.
func ValidateRestore(storageClass string, days int, tier string) error {
	if days < 1 {
		return ErrInvalidArgument("The Days parameter must be at least 1 for objects in the GLACIER or DEEP_ARCHIVE storage class.",
			"Days", fmt.Sprint(days))
	}
	switch tier {
	case "", TierStandard, TierBulk:
	case TierExpedited:
		if storageClass == StorageDeepArchive {
			return ErrInvalidArgument("Expedited retrievals are not supported for objects in the DEEP_ARCHIVE storage class.",
				"Tier", tier)
		}
	default:
		return ErrMalformedXML()
	}
	return nil
}
