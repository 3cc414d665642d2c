"""The calls of the S3 differential test (see diff_s3_moto.py)."""

import base64
import datetime
import hashlib
import urllib.error
import urllib.request

B = "dfb-plain"      # unversioned bucket
V = "dfb-versioned"  # versioning enabled
L = "dfb-locked"     # Object Lock
M = "dfb-multipart"
D = "dfb-dest"
S = "dfb-suspended"
R = "dfb-refused"    # uploads moto takes and S3 refuses land here, not in B
REPLICA = "dfb-replica"
MB5 = 5 * 1024 * 1024
PART1 = b"a" * MB5
PART2 = b"b" * 1024
LONG_KEY = "k" * 1024
FAR = datetime.datetime(2099, 1, 1, tzinfo=datetime.timezone.utc)
PAST = datetime.datetime(2000, 1, 1, tzinfo=datetime.timezone.utc)


class Step:
    def __init__(self, name, call, pick=None, save=None):
        self.name, self.call, self.pick, self.save = name, call, pick, save


def crc32c(b):
    """CRC-32C (Castagnoli), base64 as S3 writes it: botocore needs the CRT
    to compute it, so the test does."""
    crc = 0xFFFFFFFF
    for byte in b:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return base64.b64encode((crc ^ 0xFFFFFFFF).to_bytes(4, "big")).decode()


def md5b64(b):
    return base64.b64encode(hashlib.md5(b).digest()).decode()


def body(r, _):
    return r["Body"].read().decode("latin-1")


def keys(r, _):
    return [o["Key"] for o in r.get("Contents", [])]


def listing(r, _):
    return {"keys": [o["Key"] for o in r.get("Contents", [])],
            "prefixes": [p["Prefix"] for p in r.get("CommonPrefixes", [])],
            "truncated": r.get("IsTruncated"), "count": r.get("KeyCount")}


def versions(r, _):
    return {"versions": [(v["Key"], v["IsLatest"]) for v in r.get("Versions", [])],
            "markers": [(m["Key"], m["IsLatest"]) for m in r.get("DeleteMarkers", [])]}


def tagset(r, _):
    return sorted((t["Key"], t["Value"]) for t in r.get("TagSet", []))


def grants(r, _):
    return sorted((g["Grantee"].get("URI") or g["Grantee"]["Type"], g["Permission"]) for g in r.get("Grants", []))


def fields(*names):
    def pick(r, _):
        return {n: r.get(n) for n in names}
    return pick


def saver(key, field):
    def save(r, saved):
        saved[key] = r.get(field)
    return save


def presigned(method, bucket, key, data=None):
    """A presigned URL for the side's endpoint, fetched with urllib."""
    def call(c, side):
        url = c.generate_presigned_url(method, Params={"Bucket": bucket, "Key": key}, ExpiresIn=300)
        headers = {"Content-Type": "application/octet-stream"} if data is not None else {}
        req = urllib.request.Request(url, data=data, method="PUT" if data is not None else "GET", headers=headers)
        try:
            with urllib.request.urlopen(req) as resp:
                return {"_status": resp.status, "Body": resp.read()}
        except urllib.error.HTTPError as e:
            return {"_status": e.code, "Body": b""}
    return call


def steps():
    """Every step, in the order they run."""
    st = []

    def add(name, call, pick=None, save=None):
        st.append(Step(name, call, pick, save))

    # Buckets.
    for b in (B, D, R):
        add("create bucket " + b, lambda c, s, b=b: c.create_bucket(Bucket=b))
    add("create a bucket the caller owns again (us-east-1 answers 200)", lambda c, s: c.create_bucket(Bucket=B))
    add("create a bucket with an invalid name", lambda c, s: c.create_bucket(Bucket="Invalid_Name"))
    add("create a bucket with a name too short", lambda c, s: c.create_bucket(Bucket="ab"))
    add("head a bucket", lambda c, s: c.head_bucket(Bucket=B))
    add("head a missing bucket", lambda c, s: c.head_bucket(Bucket="dfb-missing"))
    add("list buckets", lambda c, s: c.list_buckets(),
        lambda r, _: sorted(b["Name"] for b in r["Buckets"] if b["Name"].startswith("dfb-")))
    add("get the location of a us-east-1 bucket", lambda c, s: c.get_bucket_location(Bucket=B), fields("LocationConstraint"))
    add("get the location of a missing bucket", lambda c, s: c.get_bucket_location(Bucket="dfb-missing"))
    add("get versioning of a new bucket", lambda c, s: c.get_bucket_versioning(Bucket=B), fields("Status"))
    add("put bucket tagging", lambda c, s: c.put_bucket_tagging(Bucket=B, Tagging={"TagSet": [{"Key": "team", "Value": "data"}]}))
    add("get bucket tagging", lambda c, s: c.get_bucket_tagging(Bucket=B), tagset)
    add("put bucket tagging with an aws: key", lambda c, s: c.put_bucket_tagging(Bucket=B, Tagging={"TagSet": [{"Key": "aws:x", "Value": "v"}]}))
    add("delete bucket tagging", lambda c, s: c.delete_bucket_tagging(Bucket=B))
    add("get bucket tagging after delete", lambda c, s: c.get_bucket_tagging(Bucket=B))
    add("get bucket tagging of a missing bucket", lambda c, s: c.get_bucket_tagging(Bucket="dfb-missing"))
    add("get the default bucket acl", lambda c, s: c.get_bucket_acl(Bucket=B), grants)
    add("put a canned bucket acl", lambda c, s: c.put_bucket_acl(Bucket=D, ACL="public-read"))
    add("get the canned bucket acl", lambda c, s: c.get_bucket_acl(Bucket=D), grants)
    add("get object lock configuration of a plain bucket", lambda c, s: c.get_object_lock_configuration(Bucket=B))
    add("get replication of a bucket without it", lambda c, s: c.get_bucket_replication(Bucket=B))
    add("delete a missing bucket", lambda c, s: c.delete_bucket(Bucket="dfb-missing"))

    # Objects.
    add("put an object", lambda c, s: c.put_object(Bucket=B, Key="docs/a.txt", Body=b"hello world", ContentType="text/plain",
                                                   Metadata={"color": "blue"}), fields("ETag"))
    add("put an object into a missing bucket", lambda c, s: c.put_object(Bucket="dfb-missing", Key="k", Body=b"x"))
    add("get the object", lambda c, s: c.get_object(Bucket=B, Key="docs/a.txt"),
        lambda r, _: {"body": r["Body"].read(), "etag": r["ETag"], "type": r["ContentType"], "meta": r["Metadata"], "len": r["ContentLength"]})
    add("head the object", lambda c, s: c.head_object(Bucket=B, Key="docs/a.txt"), fields("ETag", "ContentLength", "ContentType", "Metadata"))
    add("get a missing key", lambda c, s: c.get_object(Bucket=B, Key="nope"))
    add("head a missing key", lambda c, s: c.head_object(Bucket=B, Key="nope"))
    add("get from a missing bucket", lambda c, s: c.get_object(Bucket="dfb-missing", Key="k"))
    for rng in ["bytes=0-4", "bytes=6-", "bytes=-5", "bytes=3-3", "bytes=0-100"]:
        add("get range " + rng, lambda c, s, rng=rng: c.get_object(Bucket=B, Key="docs/a.txt", Range=rng),
            lambda r, _: {"body": r["Body"].read(), "range": r.get("ContentRange"), "len": r["ContentLength"]})
    add("get an unsatisfiable range", lambda c, s: c.get_object(Bucket=B, Key="docs/a.txt", Range="bytes=50-60"))
    add("get a range starting at the size", lambda c, s: c.get_object(Bucket=B, Key="docs/a.txt", Range="bytes=11-"))
    add("get with a matching If-Match", lambda c, s: c.get_object(Bucket=B, Key="docs/a.txt", IfMatch='"5eb63bbbe01eeed093cb22bb8f5acdc3"'), body)
    add("get with a failing If-Match", lambda c, s: c.get_object(Bucket=B, Key="docs/a.txt", IfMatch='"0000"'))
    add("get with a matching If-None-Match", lambda c, s: c.get_object(Bucket=B, Key="docs/a.txt", IfNoneMatch='"5eb63bbbe01eeed093cb22bb8f5acdc3"'))
    add("get with a failing If-None-Match", lambda c, s: c.get_object(Bucket=B, Key="docs/a.txt", IfNoneMatch='"0000"'), body)
    add("get with an old If-Unmodified-Since", lambda c, s: c.get_object(Bucket=B, Key="docs/a.txt", IfUnmodifiedSince=PAST))
    add("get with an old If-Modified-Since", lambda c, s: c.get_object(Bucket=B, Key="docs/a.txt", IfModifiedSince=PAST), body)
    add("head with a failing If-Match", lambda c, s: c.head_object(Bucket=B, Key="docs/a.txt", IfMatch='"0000"'))
    add("get with response overrides", lambda c, s: c.get_object(Bucket=B, Key="docs/a.txt", ResponseContentType="application/json",
                                                                 ResponseContentDisposition="attachment", ResponseCacheControl="no-cache"),
        fields("ContentType", "ContentDisposition", "CacheControl"))
    data = b"checked body"
    add("put with a correct Content-MD5", lambda c, s: c.put_object(Bucket=B, Key="md5", Body=data, ContentMD5=md5b64(data)), fields("ETag"))
    add("put with a wrong Content-MD5", lambda c, s: c.put_object(Bucket=R, Key="md5bad", Body=data, ContentMD5=md5b64(b"other")))
    add("put with a malformed Content-MD5", lambda c, s: c.put_object(Bucket=R, Key="md5bad", Body=data, ContentMD5="notbase64"))
    add("the refused upload stored nothing", lambda c, s: c.head_object(Bucket=R, Key="md5bad"))
    add("put with a SHA256 checksum", lambda c, s: c.put_object(Bucket=B, Key="sha", Body=data, ChecksumAlgorithm="SHA256"), fields("ChecksumSHA256"))
    add("put with a wrong SHA256 value", lambda c, s: c.put_object(Bucket=R, Key="shabad", Body=data,
                                                                   ChecksumSHA256=base64.b64encode(hashlib.sha256(b"x").digest()).decode()))
    add("get with checksum mode", lambda c, s: c.get_object(Bucket=B, Key="sha", ChecksumMode="ENABLED"), fields("ChecksumSHA256"))
    add("put with a CRC32 checksum", lambda c, s: c.put_object(Bucket=B, Key="crc32", Body=data, ChecksumAlgorithm="CRC32"), fields("ChecksumCRC32"))
    add("put with a CRC32C value", lambda c, s: c.put_object(Bucket=B, Key="crc32c", Body=data, ChecksumCRC32C=crc32c(data)), fields("ChecksumCRC32C"))
    add("put with a wrong CRC32C value", lambda c, s: c.put_object(Bucket=R, Key="crc32c-bad", Body=data, ChecksumCRC32C=crc32c(b"nope")))
    add("put with a SHA1 checksum", lambda c, s: c.put_object(Bucket=B, Key="sha1", Body=data, ChecksumAlgorithm="SHA1"), fields("ChecksumSHA1"))
    add("head with checksum mode", lambda c, s: c.head_object(Bucket=B, Key="sha1", ChecksumMode="ENABLED"), fields("ChecksumSHA1"))
    for k in ["a b+c.txt", "dir/../escape", "ünïcødé/日本語", "percent%2Fkey", "x/" + "y" * 200, LONG_KEY]:
        add("put a key of the form " + k[:20], lambda c, s, k=k: c.put_object(Bucket=B, Key=k, Body=k.encode()))
        add("get it back " + k[:20], lambda c, s, k=k: c.get_object(Bucket=B, Key=k), body)
    add("put a key over 1024 bytes", lambda c, s: c.put_object(Bucket=R, Key=LONG_KEY + "k", Body=b"x"))
    add("list everything", lambda c, s: c.list_objects_v2(Bucket=B), listing)
    add("list with a prefix", lambda c, s: c.list_objects_v2(Bucket=B, Prefix="docs/"), listing)
    add("list with a delimiter", lambda c, s: c.list_objects_v2(Bucket=B, Delimiter="/"), listing)
    add("list with prefix and delimiter", lambda c, s: c.list_objects_v2(Bucket=B, Prefix="x/", Delimiter="/"), listing)
    add("list with start-after", lambda c, s: c.list_objects_v2(Bucket=B, StartAfter="md5"), listing)
    add("list a page of two", lambda c, s: c.list_objects_v2(Bucket=B, MaxKeys=2), listing, saver("token", "NextContinuationToken"))
    add("list the next page", lambda c, s: c.list_objects_v2(Bucket=B, MaxKeys=2, ContinuationToken=s.saved["token"]), listing)
    add("list with max-keys 0", lambda c, s: c.list_objects_v2(Bucket=B, MaxKeys=0), listing)
    add("list with a bad continuation token", lambda c, s: c.list_objects_v2(Bucket=B, ContinuationToken="bogus"))
    add("list v1 with a marker", lambda c, s: c.list_objects(Bucket=B, Marker="md5"), lambda r, _: [o["Key"] for o in r.get("Contents", [])])
    add("list v1 with a delimiter", lambda c, s: c.list_objects(Bucket=B, Delimiter="/", MaxKeys=3),
        lambda r, _: {"keys": keys(r, _), "prefixes": [p["Prefix"] for p in r.get("CommonPrefixes", [])],
                      "next": r.get("NextMarker"), "truncated": r["IsTruncated"]})
    add("list a missing bucket", lambda c, s: c.list_objects_v2(Bucket="dfb-missing"))
    add("get object attributes", lambda c, s: c.get_object_attributes(Bucket=B, Key="docs/a.txt", ObjectAttributes=["ETag", "ObjectSize", "StorageClass"]),
        fields("ETag", "ObjectSize", "StorageClass"))
    add("delete an object", lambda c, s: c.delete_object(Bucket=B, Key="md5"))
    add("get a deleted object", lambda c, s: c.get_object(Bucket=B, Key="md5"))
    add("delete a missing key", lambda c, s: c.delete_object(Bucket=B, Key="never-there"))
    add("delete objects", lambda c, s: c.delete_objects(Bucket=B, Delete={"Objects": [{"Key": "sha"}, {"Key": "never-there"}]}),
        lambda r, _: {"deleted": sorted(d["Key"] for d in r.get("Deleted", [])), "errors": r.get("Errors", [])})
    add("delete objects quietly", lambda c, s: c.delete_objects(Bucket=B, Delete={"Objects": [{"Key": "sha1"}], "Quiet": True}),
        lambda r, _: {"deleted": r.get("Deleted", []), "errors": r.get("Errors", [])})
    add("delete a non-empty bucket", lambda c, s: c.delete_bucket(Bucket=B))

    # Copies.
    src = {"Bucket": B, "Key": "docs/a.txt"}
    add("copy within a bucket", lambda c, s: c.copy_object(Bucket=B, Key="docs/copy.txt", CopySource=src),
        lambda r, _: r["CopyObjectResult"]["ETag"])
    add("the copy keeps metadata", lambda c, s: c.head_object(Bucket=B, Key="docs/copy.txt"), fields("ContentType", "Metadata", "ETag"))
    add("copy across buckets replacing metadata", lambda c, s: c.copy_object(Bucket=D, Key="copied", CopySource=src, MetadataDirective="REPLACE",
                                                                            ContentType="image/png", Metadata={"new": "yes"}),
        lambda r, _: r["CopyObjectResult"]["ETag"])
    add("the copy has the new metadata", lambda c, s: c.head_object(Bucket=D, Key="copied"), fields("ContentType", "Metadata"))
    add("copy a missing source", lambda c, s: c.copy_object(Bucket=B, Key="x", CopySource={"Bucket": B, "Key": "nope"}))
    add("copy from a missing bucket", lambda c, s: c.copy_object(Bucket=B, Key="x", CopySource={"Bucket": "dfb-missing", "Key": "k"}))
    add("copy onto itself without change", lambda c, s: c.copy_object(Bucket=B, Key="docs/a.txt", CopySource=src))
    add("copy onto itself replacing metadata", lambda c, s: c.copy_object(Bucket=B, Key="docs/a.txt", CopySource=src,
                                                                         MetadataDirective="REPLACE", ContentType="text/html"),
        lambda r, _: r["CopyObjectResult"]["ETag"])
    add("copy with a failing source If-Match", lambda c, s: c.copy_object(Bucket=B, Key="x", CopySource=src, CopySourceIfMatch='"0000"'))
    add("copy with a matching source If-None-Match", lambda c, s: c.copy_object(Bucket=B, Key="x", CopySource=src,
                                                                               CopySourceIfNoneMatch='"5eb63bbbe01eeed093cb22bb8f5acdc3"'))
    add("copy replacing tags", lambda c, s: c.copy_object(Bucket=B, Key="tagged-copy", CopySource=src, TaggingDirective="REPLACE", Tagging="k=v"),
        lambda r, _: r["CopyObjectResult"]["ETag"])
    add("the copy has the new tags", lambda c, s: c.get_object_tagging(Bucket=B, Key="tagged-copy"), tagset)
    add("copy into GLACIER", lambda c, s: c.copy_object(Bucket=B, Key="cold-copy", CopySource=src, StorageClass="GLACIER"),
        lambda r, _: r["CopyObjectResult"]["ETag"])

    # Tagging.
    add("put object tagging", lambda c, s: c.put_object_tagging(Bucket=B, Key="docs/a.txt", Tagging={"TagSet": [
        {"Key": "a", "Value": "1"}, {"Key": "b c", "Value": "x+y=z"}]}))
    add("get object tagging", lambda c, s: c.get_object_tagging(Bucket=B, Key="docs/a.txt"), tagset)
    add("put an object for tag refusals", lambda c, s: c.put_object(Bucket=R, Key="t", Body=b"x", Tagging="a=1"))
    add("put 11 object tags", lambda c, s: c.put_object_tagging(Bucket=R, Key="t", Tagging={"TagSet": [
        {"Key": "k%d" % i, "Value": "v"} for i in range(11)]}))
    add("put a tag key with an invalid character", lambda c, s: c.put_object_tagging(Bucket=R, Key="t", Tagging={"TagSet": [
        {"Key": "bad#key", "Value": "v"}]}))
    add("put a tag value too long", lambda c, s: c.put_object_tagging(Bucket=R, Key="t", Tagging={"TagSet": [
        {"Key": "k", "Value": "v" * 257}]}))
    add("put a tag key too long", lambda c, s: c.put_object_tagging(Bucket=R, Key="t", Tagging={"TagSet": [
        {"Key": "k" * 129, "Value": "v"}]}))
    add("put an aws: tag", lambda c, s: c.put_object_tagging(Bucket=R, Key="t", Tagging={"TagSet": [{"Key": "aws:k", "Value": "v"}]}))
    add("the tags are unchanged after refusals", lambda c, s: c.get_object_tagging(Bucket=R, Key="t"), tagset)
    add("put duplicate tag keys", lambda c, s: c.put_object_tagging(Bucket=R, Key="t", Tagging={"TagSet": [
        {"Key": "k", "Value": "1"}, {"Key": "k", "Value": "2"}]}))
    add("head shows the tag count", lambda c, s: c.head_object(Bucket=B, Key="docs/a.txt"), fields("TagCount"))
    add("tag a missing key", lambda c, s: c.put_object_tagging(Bucket=B, Key="nope", Tagging={"TagSet": []}))
    add("delete object tagging", lambda c, s: c.delete_object_tagging(Bucket=B, Key="docs/a.txt"))
    add("get tagging after delete", lambda c, s: c.get_object_tagging(Bucket=B, Key="docs/a.txt"), tagset)
    add("put with a tagging header", lambda c, s: c.put_object(Bucket=B, Key="tag-header", Body=b"x", Tagging="a=1&b=2"))
    add("the tagging header was stored", lambda c, s: c.get_object_tagging(Bucket=B, Key="tag-header"), tagset)
    add("put with 11 tags in the header", lambda c, s: c.put_object(Bucket=R, Key="tag-header2", Body=b"x",
                                                                    Tagging="&".join("k%d=v" % i for i in range(11))))

    # ACLs.
    add("get the default object acl", lambda c, s: c.get_object_acl(Bucket=B, Key="docs/a.txt"), grants)
    add("put a canned object acl", lambda c, s: c.put_object_acl(Bucket=B, Key="docs/a.txt", ACL="public-read"))
    add("get the canned object acl", lambda c, s: c.get_object_acl(Bucket=B, Key="docs/a.txt"), grants)
    add("put an acl with grant headers", lambda c, s: c.put_object_acl(Bucket=B, Key="docs/a.txt",
                                                                       GrantRead='uri="http://acs.amazonaws.com/groups/global/AuthenticatedUsers"'))
    add("get the granted acl", lambda c, s: c.get_object_acl(Bucket=B, Key="docs/a.txt"), grants)
    add("put an object with a canned acl", lambda c, s: c.put_object(Bucket=B, Key="public", Body=b"x", ACL="public-read-write"))
    add("get its acl", lambda c, s: c.get_object_acl(Bucket=B, Key="public"), grants)
    add("get the acl of a missing key", lambda c, s: c.get_object_acl(Bucket=B, Key="nope"))

    for section in (versioning_steps, lock_steps, archive_steps, multipart_steps):
        section(add)

    # Presigned URLs.
    add("presigned put", presigned("put_object", B, "presigned.txt", b"from a presigned url"), lambda r, _: r["_status"])
    add("presigned get", presigned("get_object", B, "presigned.txt"), lambda r, _: (r["_status"], r["Body"]))
    add("presigned get of a missing key", presigned("get_object", B, "nope"), lambda r, _: r["_status"])
    return st


def versioning_steps(add):
    add("create a bucket to version", lambda c, s: c.create_bucket(Bucket=V))
    add("enable versioning", lambda c, s: c.put_bucket_versioning(Bucket=V, VersioningConfiguration={"Status": "Enabled"}))
    add("get versioning", lambda c, s: c.get_bucket_versioning(Bucket=V), fields("Status"))
    add("put version 1", lambda c, s: c.put_object(Bucket=V, Key="doc", Body=b"one"), lambda r, _: bool(r.get("VersionId")), saver("v1", "VersionId"))
    add("put version 2", lambda c, s: c.put_object(Bucket=V, Key="doc", Body=b"two"), lambda r, _: bool(r.get("VersionId")), saver("v2", "VersionId"))
    add("get the current version", lambda c, s: c.get_object(Bucket=V, Key="doc"), body)
    add("get version 1 by id", lambda c, s: c.get_object(Bucket=V, Key="doc", VersionId=s.saved["v1"]), body)
    add("get a version id that does not exist", lambda c, s: c.get_object(Bucket=V, Key="doc", VersionId="AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"))
    add("list versions", lambda c, s: c.list_object_versions(Bucket=V), versions)
    add("delete without a version adds a marker", lambda c, s: c.delete_object(Bucket=V, Key="doc"), fields("DeleteMarker"),
        saver("marker", "VersionId"))
    add("get after the delete marker", lambda c, s: c.get_object(Bucket=V, Key="doc"))
    add("head after the delete marker", lambda c, s: c.head_object(Bucket=V, Key="doc"))
    add("get the delete marker by id", lambda c, s: c.get_object(Bucket=V, Key="doc", VersionId=s.saved["marker"]))
    add("list versions with the marker", lambda c, s: c.list_object_versions(Bucket=V), versions)
    add("list objects hides the deleted key", lambda c, s: c.list_objects_v2(Bucket=V), keys)
    add("delete the delete marker", lambda c, s: c.delete_object(Bucket=V, Key="doc", VersionId=s.saved["marker"]), fields("DeleteMarker"))
    add("the object is back", lambda c, s: c.get_object(Bucket=V, Key="doc"), body)
    add("delete version 2 for good", lambda c, s: c.delete_object(Bucket=V, Key="doc", VersionId=s.saved["v2"]))
    add("version 1 is current again", lambda c, s: c.get_object(Bucket=V, Key="doc"), body)
    add("list versions after deletes", lambda c, s: c.list_object_versions(Bucket=V), versions)
    add("delete a missing key in a versioned bucket", lambda c, s: c.delete_object(Bucket=V, Key="ghost"), fields("DeleteMarker"))
    add("page versions by one", lambda c, s: c.list_object_versions(Bucket=V, MaxKeys=1),
        lambda r, _: {"n": len(r.get("Versions", [])) + len(r.get("DeleteMarkers", [])), "truncated": r["IsTruncated"],
                      "next": r.get("NextKeyMarker")})
    add("create a bucket to suspend", lambda c, s: c.create_bucket(Bucket=S))
    add("put before versioning", lambda c, s: c.put_object(Bucket=S, Key="k", Body=b"null-1"), fields("VersionId"))
    add("enable versioning there", lambda c, s: c.put_bucket_versioning(Bucket=S, VersioningConfiguration={"Status": "Enabled"}))
    add("put a real version", lambda c, s: c.put_object(Bucket=S, Key="k", Body=b"real"), lambda r, _: bool(r.get("VersionId")))
    add("suspend versioning", lambda c, s: c.put_bucket_versioning(Bucket=S, VersioningConfiguration={"Status": "Suspended"}))
    add("get suspended versioning", lambda c, s: c.get_bucket_versioning(Bucket=S), fields("Status"))
    add("put while suspended replaces the null version", lambda c, s: c.put_object(Bucket=S, Key="k", Body=b"null-2"), fields("VersionId"))
    add("get the null version", lambda c, s: c.get_object(Bucket=S, Key="k", VersionId="null"), body)
    add("list the suspended versions", lambda c, s: c.list_object_versions(Bucket=S),
        lambda r, _: sorted((v["VersionId"] == "null", v["IsLatest"]) for v in r.get("Versions", [])))
    add("replication needs a versioned destination", lambda c, s: c.put_bucket_replication(Bucket=V, ReplicationConfiguration=repl(S)))
    add("create a replica bucket", lambda c, s: c.create_bucket(Bucket=REPLICA))
    add("version the replica bucket", lambda c, s: c.put_bucket_versioning(Bucket=REPLICA, VersioningConfiguration={"Status": "Enabled"}))
    add("put replication", lambda c, s: c.put_bucket_replication(Bucket=V, ReplicationConfiguration=repl(REPLICA)))
    add("get replication", lambda c, s: c.get_bucket_replication(Bucket=V),
        lambda r, _: [(x["ID"], x["Status"], x["Destination"]["Bucket"]) for x in r["ReplicationConfiguration"]["Rules"]])
    add("delete replication", lambda c, s: c.delete_bucket_replication(Bucket=V))
    add("get replication after delete", lambda c, s: c.get_bucket_replication(Bucket=V))


def repl(dest):
    return {"Role": "arn:aws:iam::123456789012:role/replication", "Rules": [{
        "ID": "all", "Priority": 1, "Status": "Enabled", "Filter": {"Prefix": ""},
        "DeleteMarkerReplication": {"Status": "Disabled"}, "Destination": {"Bucket": "arn:aws:s3:::" + dest}}]}


def lock_steps(add):
    add("create a bucket with object lock", lambda c, s: c.create_bucket(Bucket=L, ObjectLockEnabledForBucket=True))
    add("object lock turns versioning on", lambda c, s: c.get_bucket_versioning(Bucket=L), fields("Status"))
    add("get the lock configuration", lambda c, s: c.get_object_lock_configuration(Bucket=L),
        lambda r, _: r["ObjectLockConfiguration"].get("ObjectLockEnabled"))
    add("versioning cannot be suspended", lambda c, s: c.put_bucket_versioning(Bucket=L, VersioningConfiguration={"Status": "Suspended"}))
    add("put a compliance-locked object", lambda c, s: c.put_object(Bucket=L, Key="c", Body=b"locked", ObjectLockMode="COMPLIANCE",
                                                                    ObjectLockRetainUntilDate=FAR), None, saver("c", "VersionId"))
    add("get its retention", lambda c, s: c.get_object_retention(Bucket=L, Key="c"), lambda r, _: r["Retention"]["Mode"])
    add("delete the locked version", lambda c, s: c.delete_object(Bucket=L, Key="c", VersionId=s.saved["c"]))
    add("delete the locked version with bypass", lambda c, s: c.delete_object(Bucket=L, Key="c", VersionId=s.saved["c"], BypassGovernanceRetention=True))
    add("shorten compliance retention", lambda c, s: c.put_object_retention(Bucket=L, Key="c", Retention={
        "Mode": "COMPLIANCE", "RetainUntilDate": datetime.datetime(2098, 1, 1, tzinfo=datetime.timezone.utc)}))
    add("delete without a version id adds a marker", lambda c, s: c.delete_object(Bucket=L, Key="c"), fields("DeleteMarker"))
    add("put a governance-locked object", lambda c, s: c.put_object(Bucket=L, Key="g", Body=b"gov", ObjectLockMode="GOVERNANCE",
                                                                    ObjectLockRetainUntilDate=FAR), None, saver("g", "VersionId"))
    add("delete governance without bypass", lambda c, s: c.delete_object(Bucket=L, Key="g", VersionId=s.saved["g"]))
    add("delete governance with bypass", lambda c, s: c.delete_object(Bucket=L, Key="g", VersionId=s.saved["g"], BypassGovernanceRetention=True))
    add("put an object for a legal hold", lambda c, s: c.put_object(Bucket=L, Key="h", Body=b"held"), None, saver("h", "VersionId"))
    add("get retention of an unlocked object", lambda c, s: c.get_object_retention(Bucket=L, Key="h"))
    add("put a legal hold", lambda c, s: c.put_object_legal_hold(Bucket=L, Key="h", LegalHold={"Status": "ON"}))
    add("get the legal hold", lambda c, s: c.get_object_legal_hold(Bucket=L, Key="h"), lambda r, _: r["LegalHold"]["Status"])
    add("delete under legal hold", lambda c, s: c.delete_object(Bucket=L, Key="h", VersionId=s.saved["h"], BypassGovernanceRetention=True))
    add("release the legal hold", lambda c, s: c.put_object_legal_hold(Bucket=L, Key="h", LegalHold={"Status": "OFF"}))
    add("delete after the release", lambda c, s: c.delete_object(Bucket=L, Key="h", VersionId=s.saved["h"]))
    add("legal hold on a bucket without lock", lambda c, s: c.put_object_legal_hold(Bucket=B, Key="docs/a.txt", LegalHold={"Status": "ON"}))
    add("retention on a bucket without lock", lambda c, s: c.put_object_retention(Bucket=B, Key="docs/a.txt", Retention={
        "Mode": "GOVERNANCE", "RetainUntilDate": FAR}))
    add("set a default retention", lambda c, s: c.put_object_lock_configuration(Bucket=L, ObjectLockConfiguration={
        "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 1}}}))
    add("get the default retention", lambda c, s: c.get_object_lock_configuration(Bucket=L),
        lambda r, _: r["ObjectLockConfiguration"]["Rule"]["DefaultRetention"])
    add("a new object gets the default retention", lambda c, s: c.put_object(Bucket=L, Key="d", Body=b"default"))
    add("its retention is the default", lambda c, s: c.get_object_retention(Bucket=L, Key="d"), lambda r, _: r["Retention"]["Mode"])


def archive_steps(add):
    for cls in ["GLACIER", "DEEP_ARCHIVE"]:
        key = "cold-" + cls
        add("put a " + cls + " object", lambda c, s, k=key, cls=cls: c.put_object(Bucket=B, Key=k, Body=b"frozen", StorageClass=cls))
        add("get a " + cls + " object", lambda c, s, k=key: c.get_object(Bucket=B, Key=k))
        add("head a " + cls + " object", lambda c, s, k=key: c.head_object(Bucket=B, Key=k), fields("StorageClass", "ContentLength"))
        add("copy a " + cls + " object", lambda c, s, k=key: c.copy_object(Bucket=B, Key="x", CopySource={"Bucket": B, "Key": k}))
    add("restore a standard object", lambda c, s: c.restore_object(Bucket=B, Key="docs/a.txt", RestoreRequest={"Days": 1}))
    add("restore a missing key", lambda c, s: c.restore_object(Bucket=B, Key="nope", RestoreRequest={"Days": 1}))
    add("restore a GLACIER object", lambda c, s: c.restore_object(Bucket=B, Key="cold-GLACIER",
                                                                  RestoreRequest={"Days": 2, "GlacierJobParameters": {"Tier": "Standard"}}))
    add("the restore shows in head", lambda c, s: c.head_object(Bucket=B, Key="cold-GLACIER"),
        lambda r, _: r.get("Restore", "").split(",")[0])
    add("a restored object can be read", lambda c, s: c.get_object(Bucket=B, Key="cold-GLACIER"), body)
    add("restoring again only extends", lambda c, s: c.restore_object(Bucket=B, Key="cold-GLACIER", RestoreRequest={"Days": 3}))
    add("put with an invalid storage class", lambda c, s: c.put_object(Bucket=B, Key="bad-class", Body=b"x", StorageClass="COLD"))


def multipart_steps(add):
    add("create a bucket for uploads", lambda c, s: c.create_bucket(Bucket=M))
    add("start an upload", lambda c, s: c.create_multipart_upload(Bucket=M, Key="big", ContentType="application/zip", Metadata={"m": "1"}),
        lambda r, _: (r["Bucket"], r["Key"]), saver("up", "UploadId"))
    add("upload part 1", lambda c, s: c.upload_part(Bucket=M, Key="big", UploadId=s.saved["up"], PartNumber=1, Body=PART1),
        fields("ETag"), saver("e1", "ETag"))
    add("upload part 2", lambda c, s: c.upload_part(Bucket=M, Key="big", UploadId=s.saved["up"], PartNumber=2, Body=PART2),
        fields("ETag"), saver("e2", "ETag"))
    add("upload part 0", lambda c, s: c.upload_part(Bucket=M, Key="big", UploadId=s.saved["up"], PartNumber=0, Body=b"x"))
    add("upload to an unknown upload", lambda c, s: c.upload_part(Bucket=M, Key="big", UploadId="nope", PartNumber=1, Body=b"x"))
    add("list parts", lambda c, s: c.list_parts(Bucket=M, Key="big", UploadId=s.saved["up"]),
        lambda r, _: [(p["PartNumber"], p["ETag"], p["Size"]) for p in r["Parts"]])
    add("list parts one at a time", lambda c, s: c.list_parts(Bucket=M, Key="big", UploadId=s.saved["up"], MaxParts=1),
        lambda r, _: {"parts": [p["PartNumber"] for p in r["Parts"]], "truncated": r["IsTruncated"], "next": r.get("NextPartNumberMarker")})
    add("list uploads", lambda c, s: c.list_multipart_uploads(Bucket=M), lambda r, _: [u["Key"] for u in r.get("Uploads", [])])
    add("complete with a wrong etag", lambda c, s: c.complete_multipart_upload(Bucket=M, Key="big", UploadId=s.saved["up"], MultipartUpload={
        "Parts": [{"PartNumber": 1, "ETag": '"00000000000000000000000000000000"'}, {"PartNumber": 2, "ETag": s.saved["e2"]}]}))
    add("complete out of order", lambda c, s: c.complete_multipart_upload(Bucket=M, Key="big", UploadId=s.saved["up"], MultipartUpload={
        "Parts": [{"PartNumber": 2, "ETag": s.saved["e2"]}, {"PartNumber": 1, "ETag": s.saved["e1"]}]}))
    add("complete", lambda c, s: c.complete_multipart_upload(Bucket=M, Key="big", UploadId=s.saved["up"], MultipartUpload={
        "Parts": [{"PartNumber": 1, "ETag": s.saved["e1"]}, {"PartNumber": 2, "ETag": s.saved["e2"]}]}), fields("ETag", "Key", "Bucket"))
    add("the upload is gone", lambda c, s: c.list_multipart_uploads(Bucket=M), lambda r, _: r.get("Uploads", []))
    add("head the assembled object", lambda c, s: c.head_object(Bucket=M, Key="big"), fields("ContentLength", "ETag", "ContentType", "Metadata"))
    add("get part 2 of it", lambda c, s: c.get_object(Bucket=M, Key="big", PartNumber=2),
        lambda r, _: {"len": r["ContentLength"], "parts": r.get("PartsCount"), "range": r.get("ContentRange")})
    add("read across the part boundary", lambda c, s: c.get_object(Bucket=M, Key="big", Range="bytes=%d-%d" % (MB5 - 2, MB5 + 1)), body)
    add("complete it again", lambda c, s: c.complete_multipart_upload(Bucket=M, Key="big", UploadId=s.saved["up"], MultipartUpload={
        "Parts": [{"PartNumber": 1, "ETag": s.saved["e1"]}]}))
    add("start an upload with small parts", lambda c, s: c.create_multipart_upload(Bucket=M, Key="small"), None, saver("up2", "UploadId"))
    add("upload a small part 1", lambda c, s: c.upload_part(Bucket=M, Key="small", UploadId=s.saved["up2"], PartNumber=1, Body=b"tiny"),
        None, saver("s1", "ETag"))
    add("upload a small part 2", lambda c, s: c.upload_part(Bucket=M, Key="small", UploadId=s.saved["up2"], PartNumber=2, Body=b"tiny"),
        None, saver("s2", "ETag"))
    add("complete with a small first part", lambda c, s: c.complete_multipart_upload(Bucket=M, Key="small", UploadId=s.saved["up2"], MultipartUpload={
        "Parts": [{"PartNumber": 1, "ETag": s.saved["s1"]}, {"PartNumber": 2, "ETag": s.saved["s2"]}]}))
    add("copy a range into a part", lambda c, s: c.upload_part_copy(Bucket=M, Key="small", UploadId=s.saved["up2"], PartNumber=3,
                                                                    CopySource={"Bucket": M, "Key": "big"}, CopySourceRange="bytes=0-9"),
        lambda r, _: r["CopyPartResult"]["ETag"])
    add("copy a range past the source", lambda c, s: c.upload_part_copy(Bucket=M, Key="small", UploadId=s.saved["up2"], PartNumber=4,
                                                                        CopySource={"Bucket": M, "Key": "big"}, CopySourceRange="bytes=0-99999999"))
    add("abort the upload", lambda c, s: c.abort_multipart_upload(Bucket=M, Key="small", UploadId=s.saved["up2"]))
    add("abort it again", lambda c, s: c.abort_multipart_upload(Bucket=M, Key="small", UploadId=s.saved["up2"]))
    add("list parts of an aborted upload", lambda c, s: c.list_parts(Bucket=M, Key="small", UploadId=s.saved["up2"]))
    add("start an upload with a checksum", lambda c, s: c.create_multipart_upload(Bucket=M, Key="summed", ChecksumAlgorithm="SHA256"),
        fields("ChecksumAlgorithm"), saver("up3", "UploadId"))
    add("upload a summed part", lambda c, s: c.upload_part(Bucket=M, Key="summed", UploadId=s.saved["up3"], PartNumber=1, Body=b"abc",
                                                           ChecksumAlgorithm="SHA256"),
        fields("ChecksumSHA256"), lambda r, saved: saved.update(e3=r["ETag"], c3=r["ChecksumSHA256"]))
    add("complete the summed upload", lambda c, s: c.complete_multipart_upload(Bucket=M, Key="summed", UploadId=s.saved["up3"], MultipartUpload={
        "Parts": [{"PartNumber": 1, "ETag": s.saved["e3"], "ChecksumSHA256": s.saved["c3"]}]}), fields("ETag"))
    add("delete the uploads bucket while it has objects", lambda c, s: c.delete_bucket(Bucket=M))


# Differences where jobplane follows real S3 and moto 5.2.1 does not. Each
# records what jobplane answers ("jobplane") and why that is S3's answer
# ("evidence": the AWS documentation, or reports of real S3 responses).
API = "https://docs.aws.amazon.com/AmazonS3/latest/API/"
GUIDE = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/"


def k(evidence, status, error=None, **extra):
    want = {"status": status, "error": error}
    want.update(extra)
    return {"evidence": evidence, "jobplane": want}


LOCKED = GUIDE + "object-lock.html: a version under COMPLIANCE retention, GOVERNANCE retention (without " \
    "x-amz-bypass-governance-retention) or a legal hold cannot be deleted or overwritten; moto 5.2.1 returns no " \
    "VersionId for objects of a bucket created with ObjectLockEnabledForBucket, so its side of the step cannot run"
KNOWN = {
    "create a bucket with an invalid name": k(GUIDE + "bucketnamingrules.html: only lowercase letters, numbers, dots and "
                                              "hyphens; moto accepts any name", 400, "InvalidBucketName"),
    "get with response overrides": k(API + "API_GetObject.html 'Overriding response header values': response-* "
                                     "query parameters replace the headers; moto ignores them", 200, None,
                                     fields={"ContentType": "application/json", "ContentDisposition": "attachment",
                                             "CacheControl": "no-cache"}),
    "put with a wrong Content-MD5": k(API + "API_PutObject.html Content-MD5 and ErrorResponses BadDigest: 'The "
                                      "Content-MD5 you specified did not match what we received'; moto stores the object",
                                      400, "BadDigest"),
    "put with a malformed Content-MD5": k(API + "ErrorResponses.html InvalidDigest: 'The Content-MD5 you specified is "
                                          "not valid'", 400, "InvalidDigest"),
    "the refused upload stored nothing": k("follows from the two refusals above (moto stored the upload)", 404, "404"),
    "put with a wrong SHA256 value": k(GUIDE + "checking-object-integrity.html: S3 rejects an upload whose checksum "
                                       "does not match (BadDigest); moto does not verify", 400, "BadDigest"),
    "put with a CRC32C value": k(API + "API_PutObject.html response x-amz-checksum-crc32c; moto does not return it",
                                 200, None, fields={"ChecksumCRC32C": "6/v7WA=="}),
    "put with a wrong CRC32C value": k(GUIDE + "checking-object-integrity.html (see the SHA256 step)", 400, "BadDigest"),
    "put a key over 1024 bytes": k(GUIDE + "object-keys.html: 'The name for a key ... up to 1,024 bytes long' "
                                   "(KeyTooLongError in ErrorResponses)", 400, "KeyTooLongError"),
    "list with a bad continuation token": k(API + "API_ListObjectsV2.html: the token is opaque; S3 answers a forged one "
                                            "with InvalidArgument ('The continuation token provided is incorrect'); "
                                            "moto fails with 500", 400, "InvalidArgument"),
    "list v1 with a delimiter": k(API + "API_ListObjects.html MaxKeys counts keys and common prefixes together and "
                                  "NextMarker is the last key or prefix of the page; moto returns 7 entries for "
                                  "MaxKeys=3 and a NextMarker that is neither", 200, None,
                                  fields={"keys": ["a b+c.txt", "crc32", "crc32c"], "prefixes": [], "next": "crc32c",
                                          "truncated": True}),
    "delete objects quietly": k(API + "API_DeleteObjects.html Quiet: 'the response includes only keys where the "
                                "delete action encountered an error'; moto lists deleted keys", 200, None,
                                fields={"deleted": [], "errors": []}),
    "copy with a failing source If-Match": k(API + "API_CopyObject.html x-amz-copy-source-if-match: 412 when the ETag "
                                             "differs; moto ignores the condition", 412, "PreconditionFailed"),
    "put duplicate tag keys": k(GUIDE + "object-tagging.html: 'tag keys must be unique'; S3 answers InvalidTag "
                                "'Cannot provide multiple Tags with the same key'", 400, "InvalidTag"),
    "get its acl": k(GUIDE + "acl-overview.html#canned-acl: public-read-write grants AllUsers READ and WRITE; moto "
                     "drops WRITE", 200, None),
    "get the delete marker by id": k(API + "API_GetObject.html: 'If the specified version is a delete marker, the "
                                     "response returns a 405 Method Not Allowed error'; moto answers NoSuchVersion",
                                     405, "MethodNotAllowed"),
    "delete the delete marker": k(API + "API_DeleteObject.html x-amz-delete-marker: 'whether the specified object "
                                  "version that was permanently deleted was (true) ... a delete marker'", 204, None,
                                  fields={"DeleteMarker": True}),
    "delete a missing key in a versioned bucket": k(GUIDE + "DeletingObjectVersions.html: a DELETE without a version "
                                                    "id in a versioning-enabled bucket inserts a delete marker, "
                                                    "whether or not the key exists", 204, None, fields={"DeleteMarker": True}),
    "delete without a version id adds a marker": k(LOCKED, 204, None, fields={"DeleteMarker": True}),
    "page versions by one": k(API + "API_ListObjectVersions.html max-keys: more versions remain, so IsTruncated is "
                              "true with NextKeyMarker; moto says the listing is complete", 200, None),
    "put while suspended replaces the null version": k(GUIDE + "AddingObjectstoVersionSuspendedBuckets.html: objects "
                                                       "added while versioning is suspended get version ID null, "
                                                       "which S3 returns in x-amz-version-id", 200, None,
                                                       fields={"VersionId": "null"}),
    "list the suspended versions": k(GUIDE + "VersionSuspendedBehavior.html: suspending versioning keeps existing "
                                     "versions; moto lost the version written while versioning was enabled", 200, None),
    "replication needs a versioned destination": k(GUIDE + "replication-requirements.html: 'Both source and "
                                                   "destination buckets must have versioning enabled'", 400, "InvalidRequest"),
    "versioning cannot be suspended": k(GUIDE + "object-lock.html: 'you can't disable Object Lock or suspend "
                                        "versioning for the bucket'", 409, "InvalidBucketState"),
    "get its retention": k(LOCKED, 200, None, fields="COMPLIANCE"),
    "delete the locked version": k(LOCKED, 403, "AccessDenied"),
    "delete the locked version with bypass": k(LOCKED + "; bypass applies to GOVERNANCE only", 403, "AccessDenied"),
    "shorten compliance retention": k(GUIDE + "object-lock.html#object-lock-retention-modes: in compliance mode 'its "
                                      "retention period can't be shortened'", 403, "AccessDenied"),
    "delete governance without bypass": k(LOCKED, 403, "AccessDenied"),
    "delete governance with bypass": k(LOCKED, 204, None),
    "get retention of an unlocked object": k(API + "API_GetObjectRetention.html: an object without retention answers "
                                             "NoSuchObjectLockConfiguration; moto fails with 500", 404,
                                             "NoSuchObjectLockConfiguration"),
    "delete under legal hold": k(LOCKED, 403, "AccessDenied"),
    "delete after the release": k(LOCKED, 204, None),
    "set a default retention": k(LOCKED + "; moto then refuses the configuration as if versioning were off", 200, None),
    "get the default retention": k(LOCKED, 200, None, fields={"Mode": "GOVERNANCE", "Days": 1}),
    "its retention is the default": k(GUIDE + "object-lock-managing.html default retention: new versions get the "
                                      "bucket's default retention", 200, None, fields="GOVERNANCE"),
    "upload part 0": k(API + "API_UploadPart.html: 'Part numbers can be any number from 1 to 10,000, inclusive' "
                       "(InvalidArgument before the upload is looked up)", 400, "InvalidArgument"),
    "upload to an unknown upload": k(API + "API_UploadPart.html errors: NoSuchUpload; moto fails with 500", 404, "NoSuchUpload"),
    "complete out of order": k(API + "API_CompleteMultipartUpload.html errors: InvalidPartOrder 'The list of parts "
                               "was not in ascending order'", 400, "InvalidPartOrder"),
    "get part 2 of it": k(API + "API_GetObject.html partNumber: 'Effectively performs a ranged GET request for the "
                          "part specified' (206 with x-amz-mp-parts-count); moto ignores partNumber", 206, None),
    "complete it again": k(API + "API_CompleteMultipartUpload.html NoSuchUpload: 'the multipart upload might have been "
                           "aborted or completed'", 404, "NoSuchUpload"),
    "copy a range past the source": k("real S3 answers InvalidArgument 'Range specified is not valid for source object "
                                      "of size: N' (github.com/versity/versitygw/issues/610, "
                                      "github.com/fsspec/s3fs/issues/321); moto copies", 400, "InvalidArgument"),
}
