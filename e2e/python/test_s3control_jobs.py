"""boto3 against a running jobplane: every S3 Batch Operations job operation
and every modeled error it answers.

Run by e2e/e2e_test.go with JOBPLANE_URL (auth off) and JOBPLANE_SIGV4_URL
(--auth=sigv4). With auth off the access key names the account; the accounts
and buckets below are used by no other script. The servers run the job
engine: every job names a real manifest (so that preparation passes), and
a job that is Ready may run to its end at any moment.
"""

import datetime
import os
import re
import unittest
import uuid

from botocore.exceptions import ClientError

from aws_clients import s3_client, s3control_client, wait_job

URL = os.environ["JOBPLANE_URL"]
SIGV4_URL = os.environ["JOBPLANE_SIGV4_URL"]
ACCOUNT = "303030303030"
OTHER = "404040404040"
MISSING = "00000000-0000-4000-8000-000000000000"
UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
# Where a confirmed job may be by the time it is read again: the engine may
# run it at once.
CONFIRMED = {"Ready", "Active", "Completing", "Complete"}


def client(account=ACCOUNT, url=URL, **kw):
    return s3control_client(url, account, **kw)


_fixtures = {}


def fixtures(account, url=URL, key=None, secret="secret"):
    """A bucket of the account holding an object and a manifest that names
    it, for the jobs' Manifest and Report; made once per account and server."""
    if (account, url) in _fixtures:
        return _fixtures[account, url]
    s3 = s3_client(url, key or account, secret)
    bucket = "s3c-jobs-%s" % account
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="data/object", Body=b"x")
    etag = s3.put_object(Bucket=bucket, Key="manifest.csv", Body=("%s,data/object\n" % bucket).encode())["ETag"].strip('"')
    _fixtures[account, url] = bucket, etag
    return bucket, etag


def job_request(account=ACCOUNT, url=URL, key=None, secret="secret", **changes):
    bucket, etag = fixtures(account, url, key, secret)
    req = dict(
        AccountId=account, Priority=10,
        RoleArn="arn:aws:iam::%s:role/batch" % account,
        Operation={"S3PutObjectTagging": {"TagSet": [{"Key": "k", "Value": "v"}]}},
        Report={"Enabled": True, "Bucket": "arn:aws:s3:::%s" % bucket, "Format": "Report_CSV_20180820",
                "Prefix": "batch", "ReportScope": "AllTasks"},
        Manifest={"Spec": {"Format": "S3BatchOperations_CSV_20180820", "Fields": ["Bucket", "Key"]},
                  "Location": {"ObjectArn": "arn:aws:s3:::%s/manifest.csv" % bucket, "ETag": etag}},
    )
    req.update(changes)
    return req


def wait_status(c, account, job_id, *statuses):
    return wait_job(c, account, job_id, *statuses, timeout=20)


def code_of(call):
    try:
        call()
    except ClientError as e:
        return e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]
    raise AssertionError("the call succeeded, an error was expected")


class Lifecycle(unittest.TestCase):
    def setUp(self):
        self.c = client()

    def test_a_job_without_confirmation_required_waits_suspended(self):
        job_id = self.c.create_job(**job_request(Description="tag them", Tags=[{"Key": "team", "Value": "data"}]))["JobId"]
        self.assertRegex(job_id, UUID4)
        job = wait_status(self.c, ACCOUNT, job_id, "Suspended")
        self.assertEqual(job["JobArn"], "arn:aws:s3:us-east-1:%s:job/%s" % (ACCOUNT, job_id))
        self.assertTrue(job["ConfirmationRequired"])
        self.assertEqual(job["SuspendedCause"], "AwaitingConfirmation")
        self.assertIn("SuspendedDate", job)
        self.assertEqual(job["Description"], "tag them")
        self.assertEqual(job["Priority"], 10)
        self.assertEqual(job["FailureReasons"], [])
        self.assertEqual(job["Report"]["Bucket"], "arn:aws:s3:::s3c-jobs-%s" % ACCOUNT)
        self.assertEqual(job["Manifest"]["Spec"]["Fields"], ["Bucket", "Key"])
        self.assertEqual(job["Operation"]["S3PutObjectTagging"]["TagSet"], [{"Key": "k", "Value": "v"}])
        self.assertEqual(job["ProgressSummary"]["TotalNumberOfTasks"], 1)  # the engine read the manifest
        self.assertNotIn("TerminationDate", job)
        now = datetime.datetime.now(datetime.timezone.utc)
        self.assertLess(abs((now - job["CreationTime"]).total_seconds()), 60)

    def test_confirming_a_suspended_job(self):
        job_id = self.c.create_job(**job_request())["JobId"]
        wait_status(self.c, ACCOUNT, job_id, "Suspended")
        out = self.c.update_job_status(AccountId=ACCOUNT, JobId=job_id, RequestedJobStatus="Ready", StatusUpdateReason="looks right")
        self.assertEqual((out["JobId"], out["Status"], out["StatusUpdateReason"]), (job_id, "Ready", "looks right"))
        with self.assertRaises(self.c.exceptions.JobStatusException):
            self.c.update_job_status(AccountId=ACCOUNT, JobId=job_id, RequestedJobStatus="Ready")
        job = self.c.describe_job(AccountId=ACCOUNT, JobId=job_id)["Job"]
        self.assertIn(job["Status"], CONFIRMED)
        self.assertEqual(job["StatusUpdateReason"], "looks right")
        self.assertIn("SuspendedDate", job)

    def test_cancelling_a_suspended_job(self):
        job_id = self.c.create_job(**job_request())["JobId"]
        wait_status(self.c, ACCOUNT, job_id, "Suspended")
        out = self.c.update_job_status(AccountId=ACCOUNT, JobId=job_id, RequestedJobStatus="Cancelled")
        self.assertEqual(out["Status"], "Cancelled")
        self.assertNotIn("StatusUpdateReason", out)
        job = self.c.describe_job(AccountId=ACCOUNT, JobId=job_id)["Job"]
        self.assertEqual(job["Status"], "Cancelled")
        self.assertIn("TerminationDate", job)
        self.assertEqual(code_of(lambda: self.c.update_job_status(AccountId=ACCOUNT, JobId=job_id, RequestedJobStatus="Cancelled")),
                         ("JobStatusException", 400))
        self.assertEqual(code_of(lambda: self.c.update_job_status(AccountId=ACCOUNT, JobId=job_id, RequestedJobStatus="Ready")),
                         ("JobStatusException", 400))

    def test_confirmation_required_false_makes_the_job_ready(self):
        job_id = self.c.create_job(**job_request(ConfirmationRequired=False))["JobId"]
        job = wait_status(self.c, ACCOUNT, job_id, *CONFIRMED)
        self.assertFalse(job["ConfirmationRequired"])
        self.assertNotIn("SuspendedDate", job)

    def test_a_manifest_generator_job(self):
        bucket = "arn:aws:s3:::s3c-jobs-%s" % ACCOUNT
        req = job_request(ManifestGenerator={"S3JobManifestGenerator": {
            "SourceBucket": bucket, "EnableManifestOutput": True,
            "ManifestOutputLocation": {"Bucket": bucket, "ManifestFormat": "S3InventoryReport_CSV_20211130",
                                       "ManifestPrefix": "generated", "ManifestEncryption": {"SSES3": {}}},
            "Filter": {"CreatedAfter": datetime.datetime(2023, 9, 1), "KeyNameConstraint": {"MatchAnyPrefix": ["data/"]},
                       "MatchAnyStorageClass": ["STANDARD"]}}})
        del req["Manifest"]
        job_id = self.c.create_job(**req)["JobId"]
        job = wait_status(self.c, ACCOUNT, job_id, "Suspended")
        gen = job["ManifestGenerator"]["S3JobManifestGenerator"]
        self.assertEqual(gen["SourceBucket"], bucket)
        self.assertIn("SSES3", gen["ManifestOutputLocation"]["ManifestEncryption"])
        self.assertEqual(gen["Filter"]["KeyNameConstraint"]["MatchAnyPrefix"], ["data/"])
        self.assertNotIn("Manifest", job)

    def test_update_job_priority(self):
        job_id = self.c.create_job(**job_request())["JobId"]
        out = self.c.update_job_priority(AccountId=ACCOUNT, JobId=job_id, Priority=2147483647)
        self.assertEqual((out["JobId"], out["Priority"]), (job_id, 2147483647))
        self.assertEqual(self.c.describe_job(AccountId=ACCOUNT, JobId=job_id)["Job"]["Priority"], 2147483647)

    def test_idempotency(self):
        token = str(uuid.uuid4())
        first = self.c.create_job(**job_request(ClientRequestToken=token))["JobId"]
        again = self.c.create_job(**job_request(ClientRequestToken=token))["JobId"]
        self.assertEqual(first, again)
        with self.assertRaises(self.c.exceptions.IdempotencyException):
            self.c.create_job(**job_request(ClientRequestToken=token, Priority=11))
        elsewhere = client(OTHER).create_job(**job_request(OTHER, ClientRequestToken=token))["JobId"]
        self.assertNotEqual(first, elsewhere)


class Tagging(unittest.TestCase):
    def setUp(self):
        self.c = client()
        self.job_id = self.c.create_job(**job_request(Tags=[{"Key": "a", "Value": "1"}]))["JobId"]
        self.arn = "arn:aws:s3:us-east-1:%s:job/%s" % (ACCOUNT, self.job_id)

    def tags(self):
        return self.c.get_job_tagging(AccountId=ACCOUNT, JobId=self.job_id)["Tags"]

    def test_job_tagging(self):
        self.assertEqual(self.tags(), [{"Key": "a", "Value": "1"}])
        self.c.put_job_tagging(AccountId=ACCOUNT, JobId=self.job_id, Tags=[{"Key": "b", "Value": "2"}, {"Key": "c", "Value": ""}])
        self.assertEqual(self.tags(), [{"Key": "b", "Value": "2"}, {"Key": "c", "Value": ""}])
        self.c.put_job_tagging(AccountId=ACCOUNT, JobId=self.job_id, Tags=[])
        self.assertEqual(self.tags(), [])
        self.c.put_job_tagging(AccountId=ACCOUNT, JobId=self.job_id, Tags=[{"Key": "d", "Value": "4"}])
        self.c.delete_job_tagging(AccountId=ACCOUNT, JobId=self.job_id)
        self.assertEqual(self.tags(), [])

    def test_too_many_tags(self):
        tags = [{"Key": "k%d" % i, "Value": "v"} for i in range(51)]
        with self.assertRaises(self.c.exceptions.TooManyTagsException):
            self.c.put_job_tagging(AccountId=ACCOUNT, JobId=self.job_id, Tags=tags)
        self.c.put_job_tagging(AccountId=ACCOUNT, JobId=self.job_id, Tags=tags[:50])
        self.assertEqual(len(self.tags()), 50)

    def test_resource_tagging_shares_the_job_tag_set(self):
        self.c.tag_resource(AccountId=ACCOUNT, ResourceArn=self.arn, Tags=[{"Key": "b", "Value": "2"}, {"Key": "a", "Value": "one"}])
        self.assertEqual(self.c.list_tags_for_resource(AccountId=ACCOUNT, ResourceArn=self.arn)["Tags"],
                         [{"Key": "a", "Value": "one"}, {"Key": "b", "Value": "2"}])
        self.c.untag_resource(AccountId=ACCOUNT, ResourceArn=self.arn, TagKeys=["a"])
        self.assertEqual(self.tags(), [{"Key": "b", "Value": "2"}])


class Listing(unittest.TestCase):
    def test_paging_returns_every_job_once_newest_first(self):
        account = "505050505050"
        c = client(account)
        ids = [c.create_job(**job_request(account, ConfirmationRequired=(i % 2 == 0)))["JobId"] for i in range(7)]
        suspended = set(ids[0::2])
        for job_id in ids:
            if job_id in suspended:
                wait_status(c, account, job_id, "Suspended")
            else:
                wait_status(c, account, job_id, *CONFIRMED)
        seen, kwargs = [], {}
        while True:
            page = c.list_jobs(AccountId=account, MaxResults=3, **kwargs)
            self.assertLessEqual(len(page["Jobs"]), 3)
            seen += [j["JobId"] for j in page["Jobs"]]
            if "NextToken" not in page:
                break
            kwargs = {"NextToken": page["NextToken"]}
        self.assertEqual(sorted(seen), sorted(ids))
        times = [j["CreationTime"] for j in c.list_jobs(AccountId=account)["Jobs"]]
        self.assertEqual(times, sorted(times, reverse=True))
        only = c.list_jobs(AccountId=account, JobStatuses=["Suspended"])["Jobs"]
        self.assertEqual({j["JobId"] for j in only}, suspended)
        self.assertTrue(all(j["Operation"] == "S3PutObjectTagging" and "ProgressSummary" in j for j in only))

    def test_an_empty_list_still_has_its_jobs_element(self):
        self.assertEqual(client("606060606060").list_jobs(AccountId="606060606060")["Jobs"], [])

    def test_bad_tokens_and_sizes(self):
        account = "707070707070"
        c = client(account)
        for _ in range(3):
            c.create_job(**job_request(account))
        token = c.list_jobs(AccountId=account, MaxResults=1)["NextToken"]
        with self.assertRaises(c.exceptions.InvalidNextTokenException):
            c.list_jobs(AccountId=account, NextToken="bm90LWEtdG9rZW4tYXQtYWxsLW5vdC1hdC1hbGw")
        with self.assertRaises(c.exceptions.InvalidNextTokenException):
            c.list_jobs(AccountId=account, NextToken=token, JobStatuses=["Ready"])
        with self.assertRaises(c.exceptions.InvalidNextTokenException):
            client(OTHER).list_jobs(AccountId=OTHER, NextToken=token)
        self.assertEqual(len(c.list_jobs(AccountId=account, NextToken=token, MaxResults=5)["Jobs"]), 2)
        loose = client(account, validate=False)
        self.assertEqual(code_of(lambda: loose.list_jobs(AccountId=account, MaxResults=1001)), ("InvalidRequestException", 400))


class Errors(unittest.TestCase):
    def setUp(self):
        self.c = client()

    def test_unknown_jobs_are_not_found(self):
        c, a = self.c, ACCOUNT
        arn = "arn:aws:s3:us-east-1:%s:job/%s" % (a, MISSING)
        calls = {
            "DescribeJob": lambda: c.describe_job(AccountId=a, JobId=MISSING),
            "UpdateJobPriority": lambda: c.update_job_priority(AccountId=a, JobId=MISSING, Priority=1),
            "UpdateJobStatus": lambda: c.update_job_status(AccountId=a, JobId=MISSING, RequestedJobStatus="Cancelled"),
            "GetJobTagging": lambda: c.get_job_tagging(AccountId=a, JobId=MISSING),
            "PutJobTagging": lambda: c.put_job_tagging(AccountId=a, JobId=MISSING, Tags=[]),
            "DeleteJobTagging": lambda: c.delete_job_tagging(AccountId=a, JobId=MISSING),
            "TagResource": lambda: c.tag_resource(AccountId=a, ResourceArn=arn, Tags=[{"Key": "a", "Value": "b"}]),
            "UntagResource": lambda: c.untag_resource(AccountId=a, ResourceArn=arn, TagKeys=["a"]),
            "ListTagsForResource": lambda: c.list_tags_for_resource(AccountId=a, ResourceArn=arn),
        }
        for op, call in calls.items():
            with self.subTest(op):
                self.assertEqual(code_of(call), ("NotFoundException", 400))
        with self.assertRaises(c.exceptions.NotFoundException):
            c.describe_job(AccountId=a, JobId=MISSING)

    def test_another_accounts_job_is_not_found(self):
        job_id = client(OTHER).create_job(**job_request(OTHER))["JobId"]
        self.assertEqual(code_of(lambda: self.c.describe_job(AccountId=ACCOUNT, JobId=job_id)), ("NotFoundException", 400))
        self.assertNotIn(job_id, [j["JobId"] for j in self.c.list_jobs(AccountId=ACCOUNT)["Jobs"]])

    def test_service_rules_are_bad_requests(self):
        both = job_request(ManifestGenerator={"S3JobManifestGenerator": {"SourceBucket": "arn:aws:s3:::src", "EnableManifestOutput": False}})
        neither = job_request()
        del neither["Manifest"]
        cases = {
            "both a manifest and a generator": both,
            "neither a manifest nor a generator": neither,
            "two operations": job_request(Operation={"S3DeleteObjectTagging": {}, "S3ReplicateObject": {}}),
            "a malformed role": job_request(RoleArn="arn:aws:iam::123456789012:user/me"),
            "a report bucket that is no bucket ARN": job_request(Report={"Enabled": True, "Bucket": "reports"}),
            "a manifest ARN without a key": job_request(Manifest={"Spec": {"Format": "S3BatchOperations_CSV_20180820", "Fields": ["Bucket", "Key"]},
                                                                  "Location": {"ObjectArn": "arn:aws:s3:::s3c-jobs-%s" % ACCOUNT, "ETag": "e"}}),
            "51 tags": job_request(Tags=[{"Key": "k%d" % i, "Value": "v"} for i in range(51)]),
            "a repeated tag key": job_request(Tags=[{"Key": "a", "Value": "1"}, {"Key": "a", "Value": "2"}]),
        }
        for name, req in cases.items():
            with self.subTest(name):
                self.assertEqual(code_of(lambda: self.c.create_job(**req)), ("BadRequestException", 400))
        with self.assertRaises(self.c.exceptions.BadRequestException):
            self.c.create_job(**both)
        loose = client(validate=False)
        self.assertEqual(code_of(lambda: loose.update_job_priority(AccountId=ACCOUNT, JobId=MISSING, Priority=-1)), ("BadRequestException", 400))
        self.assertEqual(code_of(lambda: loose.describe_job(AccountId=ACCOUNT, JobId="abc")), ("BadRequestException", 400))


class SigV4(unittest.TestCase):
    def test_jobs_belong_to_the_signing_account(self):
        account = "111111111111"
        key, secret = "AKIAE2ETESTKEY000001", "e2e-secret-one"
        c = client(account, url=SIGV4_URL, key=key, secret=secret)
        job_id = c.create_job(**job_request(account, url=SIGV4_URL, key=key, secret=secret))["JobId"]
        job = wait_status(c, account, job_id, "Suspended")
        self.assertEqual(job["JobArn"], "arn:aws:s3:us-east-1:%s:job/%s" % (account, job_id))
        self.assertIn(job_id, [j["JobId"] for j in c.list_jobs(AccountId=account)["Jobs"]])


if __name__ == "__main__":
    unittest.main()
