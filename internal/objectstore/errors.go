package objectstore

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/jobplane/jobplane/internal/apierror"
)

// Every failure the contract names is an *apierror.Error carrying the S3
// error code, HTTP status and message S3 sends, with the extra fields S3
// puts in its error body (BucketName, Key, VersionId, ...). Callers test the
// kind of a failure with Code:
//
//	if objectstore.Code(err) == objectstore.CodeNoSuchKey { ... }
//
// and the S3 provider renders it as it is. Any other error is a failure of
// the store itself (disk, database) and becomes an InternalError.

// Error codes of the contract.
const (
	CodeNoSuchBucket                  = "NoSuchBucket"
	CodeNoSuchKey                     = "NoSuchKey"
	CodeNoSuchVersion                 = "NoSuchVersion"
	CodeNoSuchUpload                  = "NoSuchUpload"
	CodeBucketAlreadyExists           = "BucketAlreadyExists"
	CodeBucketAlreadyOwnedByYou       = "BucketAlreadyOwnedByYou"
	CodeBucketNotEmpty                = "BucketNotEmpty"
	CodeInvalidBucketName             = "InvalidBucketName"
	CodeKeyTooLong                    = "KeyTooLongError"
	CodeInvalidObjectState            = "InvalidObjectState"
	CodePreconditionFailed            = "PreconditionFailed"
	CodeNotModified                   = "NotModified"
	CodeInvalidRange                  = "InvalidRange"
	CodeInvalidTag                    = "InvalidTag"
	CodeBadRequest                    = "BadRequest"
	CodeAccessDenied                  = "AccessDenied"
	CodeInvalidRequest                = "InvalidRequest"
	CodeInvalidArgument               = "InvalidArgument"
	CodeRestoreAlreadyInProgress      = "RestoreAlreadyInProgress"
	CodeInvalidBucketState            = "InvalidBucketState"
	CodeObjectLockConfigNotFound      = "ObjectLockConfigurationNotFoundError"
	CodeNoSuchObjectLockConfiguration = "NoSuchObjectLockConfiguration"
	CodeBadDigest                     = "BadDigest"
	CodeInvalidDigest                 = "InvalidDigest"
	CodeEntityTooLarge                = "EntityTooLarge"
	CodeEntityTooSmall                = "EntityTooSmall"
	CodeInvalidPart                   = "InvalidPart"
	CodeInvalidPartOrder              = "InvalidPartOrder"
	CodeMethodNotAllowed              = "MethodNotAllowed"
	CodeMetadataTooLarge              = "MetadataTooLarge"
	CodeIncompleteBody                = "IncompleteBody"
	CodeInvalidStorageClass           = "InvalidStorageClass"
	CodeMalformedXML                  = "MalformedXML"
	CodeNotImplemented                = "NotImplemented"
)

// Code returns the S3 error code of err, or "" when err is nil or not an S3
// error.
func Code(err error) string {
	if c, ok := apierror.As(err); ok {
		return c.ErrorCode()
	}
	return ""
}

func newErr(code string, status int, msg string) *apierror.Error {
	return apierror.New(code, status, msg)
}

// ErrNoSuchBucket is returned for a bucket that does not exist.
func ErrNoSuchBucket(bucket string) error {
	return newErr(CodeNoSuchBucket, http.StatusNotFound, "The specified bucket does not exist").With("BucketName", bucket)
}

// ErrNoSuchKey is returned for a key without a current version.
func ErrNoSuchKey(key string) error {
	return newErr(CodeNoSuchKey, http.StatusNotFound, "The specified key does not exist.").With("Key", key)
}

// ErrNoSuchKeyDeleteMarker is returned for a key whose current version is a
// delete marker: S3 says so in x-amz-delete-marker and names the marker.
func ErrNoSuchKeyDeleteMarker(key, markerVersion string) error {
	e := newErr(CodeNoSuchKey, http.StatusNotFound, "The specified key does not exist.").With("Key", key)
	e.Header = http.Header{"X-Amz-Delete-Marker": {"true"}}
	if markerVersion != "" {
		e.Header.Set("X-Amz-Version-Id", markerVersion)
	}
	return e
}

// ErrNoSuchVersion is returned for a version id the key does not have.
func ErrNoSuchVersion(key, versionID string) error {
	return newErr(CodeNoSuchVersion, http.StatusNotFound, "The specified version does not exist.").
		With("Key", key).With("VersionId", versionID)
}

// ErrInvalidVersionID is returned for a version id that cannot be one.
func ErrInvalidVersionID(versionID string) error {
	return ErrInvalidArgument("Invalid version id specified", "versionId", versionID)
}

// ErrDeleteMarkerVersion is returned when a read names a delete marker's
// version id: S3 answers 405 MethodNotAllowed and marks the response.
func ErrDeleteMarkerVersion(versionID string) error {
	e := newErr(CodeMethodNotAllowed, http.StatusMethodNotAllowed, "The specified method is not allowed against this resource.").
		With("Method", "GET").With("ResourceType", "DeleteMarker")
	e.Header = http.Header{"X-Amz-Delete-Marker": {"true"}, "X-Amz-Version-Id": {versionID}}
	return e
}

// ErrNoSuchUpload is returned for an upload id that is not in progress.
func ErrNoSuchUpload(uploadID string) error {
	return newErr(CodeNoSuchUpload, http.StatusNotFound,
		"The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.").
		With("UploadId", uploadID)
}

// ErrBucketAlreadyExists is returned for a bucket name another account owns.
func ErrBucketAlreadyExists(bucket string) error {
	return newErr(CodeBucketAlreadyExists, http.StatusConflict,
		"The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.").
		With("BucketName", bucket)
}

// ErrBucketAlreadyOwnedByYou is returned for a bucket the caller already owns.
func ErrBucketAlreadyOwnedByYou(bucket string) error {
	return newErr(CodeBucketAlreadyOwnedByYou, http.StatusConflict,
		"Your previous request to create the named bucket succeeded and you already own it.").With("BucketName", bucket)
}

// ErrBucketNotEmpty is returned when deleting a bucket that holds versions.
func ErrBucketNotEmpty(bucket string) error {
	return newErr(CodeBucketNotEmpty, http.StatusConflict, "The bucket you tried to delete is not empty").With("BucketName", bucket)
}

// ErrInvalidBucketName is returned for a name that breaks S3's naming rules.
func ErrInvalidBucketName(bucket string) error {
	return newErr(CodeInvalidBucketName, http.StatusBadRequest, "The specified bucket is not valid.").With("BucketName", bucket)
}

// ErrKeyTooLong is returned for a key over 1,024 bytes.
func ErrKeyTooLong(key string) error {
	return newErr(CodeKeyTooLong, http.StatusBadRequest, "Your key is too long").
		With("MaxSizeAllowed", strconv.Itoa(MaxKeyLength)).With("Size", strconv.Itoa(len(key)))
}

// ErrInvalidObjectState is returned when an archived object is read or
// copied without a readable restored copy, or restored when it is not
// archived.
func ErrInvalidObjectState(storageClass, msg string) error {
	if msg == "" {
		msg = "The operation is not valid for the object's storage class"
	}
	return newErr(CodeInvalidObjectState, http.StatusForbidden, msg).With("StorageClass", storageClass)
}

// ErrPreconditionFailed is returned when a condition (If-Match,
// If-Unmodified-Since, or their copy-source forms) does not hold.
func ErrPreconditionFailed(condition string) error {
	return newErr(CodePreconditionFailed, http.StatusPreconditionFailed,
		"At least one of the pre-conditions you specified did not hold").With("Condition", condition)
}

// ErrNotModified is returned when If-None-Match or If-Modified-Since says the
// client's copy is current: S3 answers 304 with no body.
func ErrNotModified(etag string, lastModified time.Time) error {
	e := newErr(CodeNotModified, http.StatusNotModified, "Not Modified")
	e.Header = http.Header{"Etag": {etag}, "Last-Modified": {lastModified.UTC().Format(http.TimeFormat)}}
	return e
}

// ErrInvalidRange is returned for a range that starts past the object's end.
func ErrInvalidRange(rangeHeader string, size int64) error {
	e := newErr(CodeInvalidRange, http.StatusRequestedRangeNotSatisfiable, "The requested range is not satisfiable").
		With("RangeRequested", rangeHeader).With("ActualObjectSize", strconv.FormatInt(size, 10))
	e.Header = http.Header{"Content-Range": {"bytes */" + strconv.FormatInt(size, 10)}}
	return e
}

// ErrInvalidTag is returned for a tag set breaking S3's tag rules.
func ErrInvalidTag(msg string) error {
	return newErr(CodeInvalidTag, http.StatusBadRequest, msg)
}

// ErrAccessDenied is returned for a request S3 refuses as not permitted,
// such as deleting a version under Object Lock.
func ErrAccessDenied(msg string) error {
	if msg == "" {
		msg = "Access Denied"
	}
	return newErr(CodeAccessDenied, http.StatusForbidden, msg)
}

// ErrInvalidRequest is S3's generic 400 for a request its rules refuse.
func ErrInvalidRequest(msg string) error {
	return newErr(CodeInvalidRequest, http.StatusBadRequest, msg)
}

// ErrInvalidArgument is S3's 400 naming the argument at fault.
func ErrInvalidArgument(msg, name, value string) error {
	return newErr(CodeInvalidArgument, http.StatusBadRequest, msg).With("ArgumentName", name).With("ArgumentValue", value)
}

// ErrRestoreAlreadyInProgress is returned for a restore request while one
// runs that the new one cannot replace.
func ErrRestoreAlreadyInProgress() error {
	return newErr(CodeRestoreAlreadyInProgress, http.StatusConflict, "Object restore is already in progress")
}

// ErrInvalidBucketState is returned for a change the bucket's state forbids.
func ErrInvalidBucketState(msg string) error {
	return newErr(CodeInvalidBucketState, http.StatusConflict, msg)
}

// ErrBadDigest is returned when a received body does not match the
// Content-MD5 or checksum the client sent.
func ErrBadDigest(what string) error {
	if what == "Content-MD5" {
		return newErr(CodeBadDigest, http.StatusBadRequest, "The Content-MD5 you specified did not match what we received.")
	}
	return newErr(CodeBadDigest, http.StatusBadRequest,
		fmt.Sprintf("The %s you specified did not match the calculated checksum.", what))
}

// ErrInvalidDigest is returned for a Content-MD5 that is not a base64 MD5.
func ErrInvalidDigest() error {
	return newErr(CodeInvalidDigest, http.StatusBadRequest, "The Content-MD5 you specified was invalid.")
}

// ErrEntityTooLarge is returned for a body over the size allowed.
func ErrEntityTooLarge(size, max int64) error {
	return newErr(CodeEntityTooLarge, http.StatusBadRequest, "Your proposed upload exceeds the maximum allowed size").
		With("ProposedSize", strconv.FormatInt(size, 10)).With("MaxSizeAllowed", strconv.FormatInt(max, 10))
}

// ErrIncompleteBody is returned when a body ends before its declared length.
func ErrIncompleteBody() error {
	return newErr(CodeIncompleteBody, http.StatusBadRequest, "You did not provide the number of bytes specified by the Content-Length HTTP header")
}

// ErrMetadataTooLarge is returned for user metadata over 2 KB.
func ErrMetadataTooLarge(size int) error {
	return newErr(CodeMetadataTooLarge, http.StatusBadRequest, "Your metadata headers exceed the maximum allowed metadata size.").
		With("Size", strconv.Itoa(size)).With("MaxSizeAllowed", strconv.Itoa(MaxUserMetadata))
}

// ErrNotImplemented is returned for a part of S3 the store does not serve.
func ErrNotImplemented(msg string) error {
	return newErr(CodeNotImplemented, http.StatusNotImplemented, msg)
}

// ErrMalformedXML is returned for a configuration document S3 would refuse
// as not matching its schema.
func ErrMalformedXML() error {
	return newErr(CodeMalformedXML, http.StatusBadRequest,
		"The XML you provided was not well-formed or did not validate against our published schema")
}

// ErrInvalidPartNumber is returned for a part number a read cannot serve.
func ErrInvalidPartNumber(n int, parts int) error {
	return newErr("InvalidPartNumber", http.StatusRequestedRangeNotSatisfiable, "The requested partnumber is not satisfiable").
		With("PartNumberRequested", strconv.Itoa(n)).With("ActualPartCount", strconv.Itoa(parts))
}

// ErrInvalidPart is returned when a completion lists a part that was not
// uploaded or whose entity tag or checksum differs.
func ErrInvalidPart(n int, etag string) error {
	return newErr(CodeInvalidPart, http.StatusBadRequest,
		"One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.").
		With("PartNumber", strconv.Itoa(n)).With("ETag", etag)
}

// ErrInvalidPartOrder is returned when a completion's parts are not in
// ascending order.
func ErrInvalidPartOrder() error {
	return newErr(CodeInvalidPartOrder, http.StatusBadRequest, "The list of parts was not in ascending order. Parts must be ordered by part number.")
}

// ErrEntityTooSmall is returned when a part other than the last is under
// the 5 MiB minimum.
func ErrEntityTooSmall(size int64) error {
	return newErr(CodeEntityTooSmall, http.StatusBadRequest, "Your proposed upload is smaller than the minimum allowed size").
		With("ProposedSize", strconv.FormatInt(size, 10)).With("MinSizeAllowed", strconv.FormatInt(MinPartSize, 10))
}

// ErrBadRequest is S3's generic 400 BadRequest (too many object tags).
func ErrBadRequest(msg string) error {
	return newErr(CodeBadRequest, http.StatusBadRequest, msg)
}

// ErrObjectNotInActiveTier is CopyObject's and UploadPartCopy's answer for
// an archived source without a readable restored copy (the error the S3
// model lists for CopyObject).
func ErrObjectNotInActiveTier() error {
	return newErr("ObjectNotInActiveTierError", http.StatusForbidden,
		"The source object of the COPY action is not in the active tier and is only stored in Amazon S3 Glacier.")
}
