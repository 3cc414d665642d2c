"""boto3 against a running jobplane: routing, protocols, bad input and auth.

Run by e2e/e2e_test.go with JOBPLANE_URL (auth off) and JOBPLANE_SIGV4_URL
(--auth=sigv4 with the credentials file the Go test writes).
"""

import os
import unittest
import urllib.error
import urllib.request

import boto3
import botocore
from botocore.config import Config
from botocore.exceptions import ClientError

URL = os.environ["JOBPLANE_URL"]
SIGV4_URL = os.environ["JOBPLANE_SIGV4_URL"]
JOB_ID = "00e123a4-c0d8-41f4-a0eb-b46f9ba5b07c"
AUTH_ERRORS = {"SignatureDoesNotMatch", "InvalidAccessKeyId", "AccessDenied", "InvalidSignatureException",
               "UnrecognizedClientException", "MissingAuthenticationTokenException", "IncompleteSignatureException",
               "AuthorizationHeaderMalformed", "RequestTimeTooSkewed", "XAmzContentSHA256Mismatch"}
GOOD_KEY, GOOD_SECRET, GOOD_ACCOUNT = "AKIAE2ETESTKEY000001", "e2e-secret-one", "111111111111"


def client(service, url=URL, key="123456789012", secret="secret", validate=True):
    """A boto3 client for jobplane; S3 Control goes through jobplane as proxy
    because the SDK sends it to {AccountId}.<host>, which does not resolve."""
    cfg = Config(
        retries={"max_attempts": 1},
        parameter_validation=validate,
        proxies={"http": url} if service == "s3control" else None,
        s3={"addressing_style": "path"} if service == "s3" else None,
        # botocore presigns S3 URLs with SigV2 unless told otherwise.
        signature_version="s3v4" if service == "s3" else None,
    )
    return boto3.client(
        service, endpoint_url=url, region_name="us-east-1",
        aws_access_key_id=key, aws_secret_access_key=secret, config=cfg)


def error_of(call):
    try:
        call()
    except ClientError as e:
        return e.response
    raise AssertionError("the call succeeded, an error was expected")


def raw(method, path, body=b"", headers=None, url=URL):
    req = urllib.request.Request(url + path, data=body or None, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


# Errors that mean a request never reached its operation's business rules.
NOT_SERVED = {"MalformedXML", "SerializationException", "ValidationException", "BadRequestException",
              "InvalidRequest", "InvalidRequestException", "UnknownOperationException", "MethodNotAllowed",
              "InternalError", "InternalServiceException", "InternalFailure", "InvalidArgument"}


def answer(call):
    """The response of a call, successful or not."""
    try:
        return call()
    except ClientError as e:
        return e.response


class Reachable(unittest.TestCase):
    """Every API is reachable and every operation is decoded, validated and
    answered: with a result, NotImplemented naming the operation, or one of
    its modeled errors."""

    def check(self, resp, operation):
        meta = resp["ResponseMetadata"]
        self.assertEqual(len(meta["RequestId"]), 16)
        err = resp.get("Error")
        if err is None:
            self.assertEqual(meta["HTTPStatusCode"] // 100, 2, resp)
            return
        self.assertNotIn(err["Code"], NOT_SERVED, resp)
        if err["Code"] == "NotImplemented":
            self.assertIn(operation, err["Message"])
            self.assertEqual(meta["HTTPStatusCode"], 501)

    def test_s3control_list_jobs(self):
        c = client("s3control")
        self.check(answer(lambda: c.list_jobs(AccountId="123456789012")), "ListJobs")

    def test_s3control_every_job_operation_routes(self):
        c = client("s3control")
        a = "123456789012"
        calls = {
            "DescribeJob": lambda: c.describe_job(AccountId=a, JobId=JOB_ID),
            "UpdateJobPriority": lambda: c.update_job_priority(AccountId=a, JobId=JOB_ID, Priority=5),
            "UpdateJobStatus": lambda: c.update_job_status(AccountId=a, JobId=JOB_ID, RequestedJobStatus="Ready", StatusUpdateReason="go ahead"),
            "GetJobTagging": lambda: c.get_job_tagging(AccountId=a, JobId=JOB_ID),
            "PutJobTagging": lambda: c.put_job_tagging(AccountId=a, JobId=JOB_ID, Tags=[{"Key": "k", "Value": "v"}]),
            "DeleteJobTagging": lambda: c.delete_job_tagging(AccountId=a, JobId=JOB_ID),
            "CreateJob": lambda: c.create_job(
                AccountId=a, ConfirmationRequired=False, Priority=10,
                RoleArn="arn:aws:iam::123456789012:role/batch",
                Operation={"S3PutObjectTagging": {"TagSet": [{"Key": "k", "Value": "v"}]}},
                Report={"Enabled": False},
                Manifest={"Spec": {"Format": "S3BatchOperations_CSV_20180820", "Fields": ["Bucket", "Key"]},
                          "Location": {"ObjectArn": "arn:aws:s3:::manifests/m.csv", "ETag": "abc"}}),
        }
        for op, call in calls.items():
            with self.subTest(op):
                self.check(answer(call), op)

    def test_snowball_list_jobs_over_json(self):
        c = client("snowball")
        self.check(answer(lambda: c.list_jobs()), "ListJobs")

    def test_s3_list_buckets(self):
        c = client("s3")
        self.check(answer(lambda: c.list_buckets()), "ListBuckets")


class BadInput(unittest.TestCase):
    """Bad input gets the AWS error of the service, never a crash."""

    def test_snowball_job_id_of_the_wrong_form(self):
        c = client("snowball")
        resp = error_of(lambda: c.describe_job(JobId="JID-not-a-real-job-id-000000000000000000"))
        self.assertEqual(resp["Error"]["Code"], "ValidationException")
        self.assertEqual(resp["ResponseMetadata"]["HTTPStatusCode"], 400)

    def test_snowball_max_results_above_the_model_maximum(self):
        c = client("snowball")
        resp = error_of(lambda: c.list_jobs(MaxResults=500))
        self.assertEqual(resp["Error"]["Code"], "ValidationException")
        self.assertIn("maxResults", resp["Error"]["Message"])

    def test_snowball_wrong_enum_value(self):
        c = client("snowball", validate=False)
        resp = error_of(lambda: c.create_long_term_pricing(LongTermPricingType="TenYear", SnowballType="EDGE"))
        self.assertEqual(resp["Error"]["Code"], "ValidationException")
        self.assertIn("enum", resp["Error"]["Message"])

    def test_s3control_missing_required_members(self):
        c = client("s3control", validate=False)
        resp = error_of(lambda: c.create_job(AccountId="123456789012", Priority=1, ConfirmationRequired=False))
        self.assertEqual(resp["Error"]["Code"], "BadRequestException")
        self.assertEqual(resp["ResponseMetadata"]["HTTPStatusCode"], 400)

    def test_s3control_priority_out_of_range(self):
        c = client("s3control", validate=False)
        resp = error_of(lambda: c.update_job_priority(AccountId="123456789012", JobId=JOB_ID, Priority=-1))
        self.assertEqual(resp["Error"]["Code"], "BadRequestException")

    def test_s3control_bad_list_status(self):
        c = client("s3control", validate=False)
        resp = error_of(lambda: c.list_jobs(AccountId="123456789012", JobStatuses=["Sleeping"]))
        self.assertEqual(resp["Error"]["Code"], "InvalidRequestException")

    def test_malformed_xml(self):
        status, headers, body = raw("POST", "/v20180820/jobs", b"<CreateJobRequest><Priority>",
                                    {"x-amz-account-id": "123456789012"})
        self.assertEqual(status, 400)
        self.assertIn(b"<Code>MalformedXML</Code>", body)
        self.assertIn(b"<ErrorResponse>", body)
        self.assertIn("x-amz-id-2", {k.lower() for k in headers})

    def test_oversize_body(self):
        status, _, body = raw("POST", "/v20180820/jobs", b"<a>" + b"x" * (3 << 20) + b"</a>",
                              {"x-amz-account-id": "123456789012"})
        self.assertEqual(status, 400)
        self.assertIn(b"MaxMessageLengthExceeded", body)

    def test_malformed_json(self):
        status, _, body = raw("POST", "/", b"{not json", {
            "X-Amz-Target": "AWSIESnowballJobManagementService.ListJobs",
            "Content-Type": "application/x-amz-json-1.1"})
        self.assertEqual(status, 400)
        self.assertIn(b"SerializationException", body)

    def test_unknown_json_operation(self):
        status, _, body = raw("POST", "/", b"{}", {
            "X-Amz-Target": "AWSIESnowballJobManagementService.FlyToTheMoon",
            "Content-Type": "application/x-amz-json-1.1"})
        self.assertEqual(status, 400)
        self.assertIn(b"UnknownOperationException", body)

    def test_malformed_cbor(self):
        status, headers, body = raw("POST", "/service/AWSIESnowballJobManagementService/operation/ListJobs",
                                    b"\xbf\x61", {"Smithy-Protocol": "rpc-v2-cbor", "Content-Type": "application/cbor"})
        self.assertEqual(status, 400)
        self.assertEqual(headers.get("Smithy-Protocol"), "rpc-v2-cbor")
        self.assertIn(b"SerializationException", body)


class Health(unittest.TestCase):
    def test_health(self):
        status, headers, body = raw("GET", "/_jobplane/health")
        self.assertEqual(status, 200)
        self.assertIn(b'"status":"ok"', body)


class SigV4(unittest.TestCase):
    """--auth=sigv4: signatures are verified against the credentials file."""

    def assertAuthenticated(self, resp):
        code = resp.get("Error", {}).get("Code")
        self.assertNotIn(code, AUTH_ERRORS, resp)
        self.assertNotIn(code, NOT_SERVED, resp)

    def test_valid_signature_passes_authentication(self):
        for service, call, op in [
            ("s3", lambda c: c.list_buckets(), "ListBuckets"),
            ("snowball", lambda c: c.list_jobs(), "ListJobs"),
            ("s3control", lambda c: c.list_jobs(AccountId=GOOD_ACCOUNT), "ListJobs"),
        ]:
            with self.subTest(service):
                c = client(service, url=SIGV4_URL, key=GOOD_KEY, secret=GOOD_SECRET)
                self.assertAuthenticated(answer(lambda: call(c)))

    def test_s3_put_object_with_streaming_checksum_passes(self):
        # boto3 sends PutObject as aws-chunked with a trailing checksum.
        c = client("s3", url=SIGV4_URL, key=GOOD_KEY, secret=GOOD_SECRET)
        self.assertAuthenticated(answer(lambda: c.put_object(Bucket="sigv4-e2e-bucket", Key="a/key", Body=b"hello world" * 1000)))

    def test_wrong_secret(self):
        for service, call, code in [
            ("s3", lambda c: c.list_buckets(), "SignatureDoesNotMatch"),
            ("snowball", lambda c: c.list_jobs(), "InvalidSignatureException"),
            ("s3control", lambda c: c.list_jobs(AccountId=GOOD_ACCOUNT), "SignatureDoesNotMatch"),
        ]:
            with self.subTest(service):
                c = client(service, url=SIGV4_URL, key=GOOD_KEY, secret="not-the-secret")
                self.assertEqual(error_of(lambda: call(c))["Error"]["Code"], code)

    def test_unknown_access_key(self):
        for service, call, code in [
            ("s3", lambda c: c.list_buckets(), "InvalidAccessKeyId"),
            ("snowball", lambda c: c.list_jobs(), "UnrecognizedClientException"),
        ]:
            with self.subTest(service):
                c = client(service, url=SIGV4_URL, key="AKIANOBODYKNOWS00000", secret="x")
                self.assertEqual(error_of(lambda: call(c))["Error"]["Code"], code)

    def test_missing_signature(self):
        status, _, body = raw("GET", "/", url=SIGV4_URL)
        self.assertEqual(status, 403)
        self.assertIn(b"<Code>AccessDenied</Code>", body)
        status, _, body = raw("POST", "/", b"{}", {"X-Amz-Target": "AWSIESnowballJobManagementService.ListJobs"}, url=SIGV4_URL)
        self.assertEqual(status, 403)
        self.assertIn(b"MissingAuthenticationTokenException", body)

    def test_s3control_account_must_be_the_callers(self):
        c = client("s3control", url=SIGV4_URL, key=GOOD_KEY, secret=GOOD_SECRET)
        resp = error_of(lambda: c.list_jobs(AccountId="222222222222"))
        self.assertEqual(resp["Error"]["Code"], "AccessDenied")

    def test_presigned_url(self):
        c = client("s3", url=SIGV4_URL, key=GOOD_KEY, secret=GOOD_SECRET)
        url = c.generate_presigned_url("get_object", Params={"Bucket": "sigv4-e2e-bucket", "Key": "some key"}, ExpiresIn=300)
        status, _, body = raw("GET", url[len(SIGV4_URL):], url=SIGV4_URL)
        for code in AUTH_ERRORS:
            self.assertNotIn(b"<Code>" + code.encode() + b"</Code>", body)
        tampered = url.replace("some%20key", "other%20key")
        status, _, body = raw("GET", tampered[len(SIGV4_URL):], url=SIGV4_URL)
        self.assertEqual(status, 403)
        self.assertIn(b"SignatureDoesNotMatch", body)

    def test_expired_presigned_url(self):
        c = client("s3", url=SIGV4_URL, key=GOOD_KEY, secret=GOOD_SECRET)
        url = c.generate_presigned_url("get_object", Params={"Bucket": "bucket", "Key": "k"}, ExpiresIn=1)
        # Rewrite the signing date two hours back; the signature no longer
        # matches either, but expiry is checked first, as S3 does.
        import re
        old = re.search(r"X-Amz-Date=(\d{8}T\d{6}Z)", url).group(1)
        import datetime
        earlier = (datetime.datetime.strptime(old, "%Y%m%dT%H%M%SZ") - datetime.timedelta(hours=2)).strftime("%Y%m%dT%H%M%SZ")
        url = url.replace(old, earlier).replace(old[:8] + "%2F", earlier[:8] + "%2F")
        status, _, body = raw("GET", url[len(SIGV4_URL):], url=SIGV4_URL)
        self.assertEqual(status, 403)
        self.assertIn(b"Request has expired", body)


if __name__ == "__main__":
    unittest.main()
