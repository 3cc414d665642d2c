"""Scenarios of S3 Batch Operations jobs driven with boto3, shared by
test_batch_jobs.py (jobplane's embedded object store) and batch_moto.py
(jobplane with --s3-endpoint on moto_server). Each scenario sets objects up
through one S3 client, runs a job through jobplane's S3 Control API, and
checks the objects through another S3 client (jobplane's own, or moto's
directly) and the job's completion report.
"""

import csv
import datetime
import hashlib
import io
import json
import uuid
import zlib
import base64

from aws_clients import s3_client, s3control_client, wait_job  # noqa: F401 (s3_client: for the scripts)


class Batch:
    """Jobs of one account; setup is the S3 client objects are written with,
    check the one they are read back with."""

    def __init__(self, url, account, setup, check=None):
        self.account = account
        self.sc = s3control_client(url, account)
        self.setup = setup
        self.check = check or setup
        self.suffix = uuid.uuid4().hex[:8]
        self.reports = self.bucket("batch-reports")
        self.manifests = self.bucket("batch-manifests")

    def bucket(self, base, lock=False):
        name = "%s-%s" % (base, self.suffix)
        kw = {"ObjectLockEnabledForBucket": True} if lock else {}
        try:
            self.setup.create_bucket(Bucket=name, **kw)
        except self.setup.exceptions.BucketAlreadyOwnedByYou:
            pass
        return name

    def manifest(self, rows, fields=("Bucket", "Key")):
        key = "m-%s.csv" % uuid.uuid4().hex
        etag = self.setup.put_object(Bucket=self.manifests, Key=key, Body=("\n".join(rows) + "\n").encode())["ETag"]
        return {"Spec": {"Format": "S3BatchOperations_CSV_20180820", "Fields": list(fields)},
                "Location": {"ObjectArn": "arn:aws:s3:::%s/%s" % (self.manifests, key), "ETag": etag.strip('"')}}

    def create(self, operation, manifest=None, generator=None, priority=10, confirm=False, scope="AllTasks"):
        req = dict(AccountId=self.account, Priority=priority, ConfirmationRequired=confirm,
                   RoleArn="arn:aws:iam::%s:role/batch" % self.account, Operation=operation,
                   Report={"Enabled": True, "Bucket": "arn:aws:s3:::" + self.reports, "Format": "Report_CSV_20180820",
                           "Prefix": "rep", "ReportScope": scope})
        if manifest:
            req["Manifest"] = manifest
        if generator:
            req["ManifestGenerator"] = {"S3JobManifestGenerator": generator}
        return self.sc.create_job(**req)["JobId"]

    def describe(self, job_id):
        return self.sc.describe_job(AccountId=self.account, JobId=job_id)["Job"]

    def wait(self, job_id, *statuses, timeout=60):
        return wait_job(self.sc, self.account, job_id, *statuses, timeout=timeout)

    def run(self, operation, rows, fields=("Bucket", "Key")):
        job_id = self.create(operation, self.manifest(rows, fields))
        job = self.wait(job_id, "Complete", "Failed", "Cancelled")
        assert job["Status"] == "Complete", (job["Status"], job.get("FailureReasons"))
        return job_id, job, self.report(job_id)

    def report(self, job_id):
        """The report's manifest.json and its rows by task status."""
        doc = json.loads(self.check.get_object(Bucket=self.reports, Key="rep/job-%s/manifest.json" % job_id)["Body"].read())
        assert doc["Format"] == "Report_CSV_20180820", doc
        assert doc["ReportSchema"] == "Bucket, Key, VersionId, TaskStatus, ErrorCode, HTTPStatusCode, ResultMessage", doc
        rows = {}
        for f in doc["Results"]:
            assert f["Bucket"] == self.reports and f["Key"].startswith("rep/job-%s/results/" % job_id), f
            body = self.check.get_object(Bucket=f["Bucket"], Key=f["Key"])["Body"].read()
            assert hashlib.md5(body).hexdigest() == f["MD5Checksum"], f
            rows.setdefault(f["TaskExecutionStatus"], []).extend(csv.reader(io.StringIO(body.decode())))
        return rows


def row_of(report, key):
    for rows in report.values():
        for r in rows:
            if r[1] == key:
                return r
    raise AssertionError("no report row for %r in %r" % (key, report))


def expect_row(report, key, status, http, code=""):
    r = row_of(report, key)
    assert r[3] == status and r[4] == http and r[5] == code, r
    return r


# Each scenario takes a Batch and raises AssertionError on a wrong outcome.

def tagging(b):
    data = b.bucket("tag-data")
    for i in range(25):
        b.setup.put_object(Bucket=data, Key="obj %d" % i, Body=b"x", Tagging="old=1")
    rows = ["%s,obj+%d" % (data, i) for i in range(25)] + [data + ",missing"]
    _, job, rep = b.run({"S3PutObjectTagging": {"TagSet": [{"Key": "team", "Value": "data"}]}}, rows)
    p = job["ProgressSummary"]
    assert (p["TotalNumberOfTasks"], p["NumberOfTasksSucceeded"], p["NumberOfTasksFailed"]) == (26, 25, 1), p
    assert b.check.get_object_tagging(Bucket=data, Key="obj 7")["TagSet"] == [{"Key": "team", "Value": "data"}]
    expect_row(rep, "obj+7", "succeeded", "200")
    expect_row(rep, "missing", "failed", "404", "NoSuchKey")
    assert len(rep["succeeded"]) == 25 and len(rep["failed"]) == 1, rep


def delete_tagging(b):
    data = b.bucket("deltag-data")
    b.setup.put_object(Bucket=data, Key="k", Body=b"x", Tagging="a=b")
    b.run({"S3DeleteObjectTagging": {}}, [data + ",k"])
    assert b.check.get_object_tagging(Bucket=data, Key="k")["TagSet"] == []


def canned_acl(b):
    data = b.bucket("acl-data")
    b.setup.put_object(Bucket=data, Key="k", Body=b"x")
    b.run({"S3PutObjectAcl": {"AccessControlPolicy": {"CannedAccessControlList": "public-read"}}}, [data + ",k"])
    grants = b.check.get_object_acl(Bucket=data, Key="k")["Grants"]
    assert any(g["Grantee"].get("URI") == "http://acs.amazonaws.com/groups/global/AllUsers" and g["Permission"] == "READ"
               for g in grants), grants


def copy(b):
    src, dst = b.bucket("copy-src"), b.bucket("copy-dst")
    b.setup.put_object(Bucket=src, Key="Folder1/obj.txt", Body=b"hello", ContentType="text/plain")
    _, _, rep = b.run({"S3PutObjectCopy": {"TargetResource": "arn:aws:s3:::" + dst, "TargetKeyPrefix": "Folder2",
                                           "MetadataDirective": "REPLACE",
                                           "NewObjectMetadata": {"ContentType": "application/x-copied",
                                                                 "UserMetadata": {"who": "batch"}},
                                           "NewObjectTagging": [{"Key": "copied", "Value": "yes"}],
                                           "StorageClass": "STANDARD_IA"}},
                      [src + ",Folder1%2Fobj.txt"])
    expect_row(rep, "Folder1%2Fobj.txt", "succeeded", "200")
    got = b.check.get_object(Bucket=dst, Key="Folder2/Folder1/obj.txt")
    assert got["Body"].read() == b"hello"
    assert got["ContentType"] == "application/x-copied" and got["Metadata"] == {"who": "batch"}, got
    assert got.get("StorageClass") == "STANDARD_IA", got.get("StorageClass")
    assert b.check.get_object_tagging(Bucket=dst, Key="Folder2/Folder1/obj.txt")["TagSet"] == [{"Key": "copied", "Value": "yes"}]


def restore(b):
    data = b.bucket("restore-data")
    b.setup.put_object(Bucket=data, Key="cold", Body=b"x", StorageClass="GLACIER")
    b.setup.put_object(Bucket=data, Key="warm", Body=b"x")
    _, _, rep = b.run({"S3InitiateRestoreObject": {"ExpirationInDays": 2, "GlacierJobTier": "BULK"}},
                      [data + ",cold", data + ",warm"])
    r = expect_row(rep, "cold", "succeeded", "200")
    assert r[6] == "Successful", r
    expect_row(rep, "warm", "failed", "403", "InvalidObjectState")
    assert "Restore" in b.check.head_object(Bucket=data, Key="cold")


def legal_hold_and_retention(b):
    data = b.bucket("lock-data", lock=True)
    v = b.setup.put_object(Bucket=data, Key="k", Body=b"x")["VersionId"]
    rows = ["%s,k,%s" % (data, v)]
    fields = ("Bucket", "Key", "VersionId")
    b.run({"S3PutObjectLegalHold": {"LegalHold": {"Status": "ON"}}}, rows, fields)
    assert b.check.get_object_legal_hold(Bucket=data, Key="k", VersionId=v)["LegalHold"]["Status"] == "ON"
    b.run({"S3PutObjectLegalHold": {"LegalHold": {"Status": "OFF"}}}, rows, fields)
    assert b.check.get_object_legal_hold(Bucket=data, Key="k", VersionId=v)["LegalHold"]["Status"] == "OFF"
    until = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=1)).replace(microsecond=0)
    b.run({"S3PutObjectRetention": {"Retention": {"Mode": "GOVERNANCE", "RetainUntilDate": until}}}, rows, fields)
    # HeadObject, not GetObjectRetention: moto 5.2.1 answers the latter 500.
    head = b.check.head_object(Bucket=data, Key="k", VersionId=v)
    assert head["ObjectLockMode"] == "GOVERNANCE" and head["ObjectLockRetainUntilDate"] == until, head


def lock_precheck(b):
    """Batch Operations checks Object Lock before any key: the job fails."""
    data = b.bucket("nolock-data")
    b.setup.put_object(Bucket=data, Key="k", Body=b"x")
    job_id = b.create({"S3PutObjectLegalHold": {"LegalHold": {"Status": "ON"}}}, b.manifest([data + ",k"]))
    job = b.wait(job_id, "Failed")
    assert job["FailureReasons"][0]["FailureCode"] == "ObjectLockConfigurationNotFoundError", job["FailureReasons"]


def checksum(b):
    data = b.bucket("sum-data")
    body = b"the quick brown fox"
    etag = b.setup.put_object(Bucket=data, Key="f", Body=body)["ETag"].strip('"')
    _, _, rep = b.run({"S3ComputeObjectChecksum": {"ChecksumAlgorithm": "CRC32", "ChecksumType": "FULL_OBJECT"}},
                      [data + ",f", data + ",gone"])
    r = expect_row(rep, "f", "succeeded", "200")
    raw = zlib.crc32(body).to_bytes(4, "big")
    assert json.loads(r[6]) == {"checksum_base64": base64.b64encode(raw).decode(), "etag": etag,
                                "checksumAlgorithm": "CRC32", "checksumType": "FULL_OBJECT", "checksum_hex": raw.hex()}, r[6]
    gone = expect_row(rep, "gone", "failed", "404", "NoSuchKey")
    assert gone[6].startswith('error details: {"failureMessage":'), gone


def etag_mismatch(b):
    data = b.bucket("etag-data")
    m = b.manifest([data + ",k"])
    m["Location"]["ETag"] = "0123456789abcdef0123456789abcdef"
    job = b.wait(b.create({"S3DeleteObjectTagging": {}}, m), "Failed")
    assert job["FailureReasons"][0]["FailureCode"] == "InvalidManifest", job["FailureReasons"]
    assert job["ProgressSummary"]["TotalNumberOfTasks"] == 0


def generator(b):
    src, out = b.bucket("gen-src"), b.bucket("gen-out")
    for k in ("logs/a.txt", "logs/b.csv", "data/c.txt"):
        b.setup.put_object(Bucket=src, Key=k, Body=b"12345")
    job_id = b.create({"S3PutObjectTagging": {"TagSet": [{"Key": "g", "Value": "1"}]}}, generator={
        "SourceBucket": "arn:aws:s3:::" + src, "EnableManifestOutput": True,
        "ManifestOutputLocation": {"Bucket": "arn:aws:s3:::" + out, "ManifestPrefix": "gen",
                                   "ManifestFormat": "S3InventoryReport_CSV_20211130"},
        "Filter": {"KeyNameConstraint": {"MatchAnyPrefix": ["logs/"], "MatchAnySuffix": [".txt"]}}})
    job = b.wait(job_id, "Complete", "Failed")
    assert job["Status"] == "Complete", job.get("FailureReasons")
    assert job["ProgressSummary"]["TotalNumberOfTasks"] == 1, job["ProgressSummary"]
    desc = job["GeneratedManifestDescriptor"]
    assert desc["Format"] == "S3InventoryReport_CSV_20211130", desc
    key = desc["Location"]["ObjectArn"].split(":::", 1)[1].split("/", 1)[1]
    assert json.loads(b.check.get_object(Bucket=out, Key=key)["Body"].read())["fileFormat"] == "CSV"
    assert b.check.get_object_tagging(Bucket=src, Key="logs/a.txt")["TagSet"] == [{"Key": "g", "Value": "1"}]
    assert b.check.get_object_tagging(Bucket=src, Key="logs/b.csv")["TagSet"] == []


def list_jobs_shows_progress(b):
    data = b.bucket("list-data")
    for i in range(5):
        b.setup.put_object(Bucket=data, Key="k%d" % i, Body=b"x")
    job_id, _, _ = b.run({"S3DeleteObjectTagging": {}}, ["%s,k%d" % (data, i) for i in range(5)])
    jobs = b.sc.list_jobs(AccountId=b.account, JobStatuses=["Complete"])["Jobs"]
    mine = [j for j in jobs if j["JobId"] == job_id]
    assert mine and mine[0]["ProgressSummary"]["NumberOfTasksSucceeded"] == 5, mine
    assert mine[0]["Operation"] == "S3DeleteObjectTagging", mine
