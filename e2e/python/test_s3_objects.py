"""boto3 against a running jobplane: the S3 data plane end to end.

Run by e2e/e2e_test.go (TestBoto3) with JOBPLANE_URL (auth off) and
JOBPLANE_SIGV4_URL (--auth=sigv4). Bucket names start with e2e-s3-objects-,
which no other script uses.
"""

import hashlib
import os
import subprocess
import tempfile
import unittest
import urllib.error
import urllib.request

from boto3.s3.transfer import TransferConfig
from botocore.exceptions import ClientError

from aws_clients import s3_client

URL = os.environ["JOBPLANE_URL"]
SIGV4_URL = os.environ["JOBPLANE_SIGV4_URL"]
ACCOUNT = "123456789012"
KEY, SECRET = "AKIAE2ETESTKEY000001", "e2e-secret-one"

HOSTILE_KEYS = ["..", "../../etc/passwd", "/leading", "a//b", "trailing/", "%2e%2e%2fx", "url%20enc%2Fkey",
                "back\\slash", "new\nline", " spaces ", "ünïcødé/日本語/😀", "k" * 1024, "é" * 512, "a+b=c&d?e#f"]


def fetch(url, data=None, method="GET"):
    req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/octet-stream"} if data else {})
    try:
        with urllib.request.urlopen(req) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


class HostileKeys(unittest.TestCase):
    def test_every_hostile_key_round_trips_exactly(self):
        c = s3_client(URL, ACCOUNT)
        c.create_bucket(Bucket="e2e-s3-objects-keys")
        for k in HOSTILE_KEYS:
            with self.subTest(key=k[:40]):
                c.put_object(Bucket="e2e-s3-objects-keys", Key=k, Body=k.encode())
                self.assertEqual(c.get_object(Bucket="e2e-s3-objects-keys", Key=k)["Body"].read(), k.encode())
        listed = []
        for page in c.get_paginator("list_objects_v2").paginate(Bucket="e2e-s3-objects-keys", PaginationConfig={"PageSize": 3}):
            listed += [o["Key"] for o in page.get("Contents", [])]
        self.assertEqual(sorted(listed), sorted(HOSTILE_KEYS))

    def test_a_key_over_1024_bytes_is_refused(self):
        c = s3_client(URL, ACCOUNT)
        c.create_bucket(Bucket="e2e-s3-objects-long")
        with self.assertRaises(ClientError) as e:
            c.put_object(Bucket="e2e-s3-objects-long", Key="k" * 1025, Body=b"x")
        self.assertEqual(e.exception.response["Error"]["Code"], "KeyTooLongError")


class SignedTransfers(unittest.TestCase):
    """With --auth=sigv4, boto3's streaming uploads (aws-chunked with signed
    trailing checksums) and its multipart transfers go through."""

    def setUp(self):
        self.c = s3_client(SIGV4_URL, KEY, SECRET)
        try:
            self.c.create_bucket(Bucket="e2e-s3-objects-signed")
        except ClientError:
            pass

    def test_upload_file_uses_multipart_above_8_mb_and_round_trips(self):
        data = os.urandom(9 * 1024 * 1024 + 17)
        with tempfile.TemporaryDirectory() as d:
            src, dst = os.path.join(d, "src"), os.path.join(d, "dst")
            with open(src, "wb") as f:
                f.write(data)
            self.c.upload_file(src, "e2e-s3-objects-signed", "big/file", Config=TransferConfig(multipart_threshold=8 * 1024 * 1024))
            head = self.c.head_object(Bucket="e2e-s3-objects-signed", Key="big/file", ChecksumMode="ENABLED")
            self.assertTrue(head["ETag"].endswith('-2"'), head["ETag"])
            self.assertEqual(head["ContentLength"], len(data))
            self.c.download_file("e2e-s3-objects-signed", "big/file", dst)
            with open(dst, "rb") as f:
                self.assertEqual(hashlib.sha256(f.read()).hexdigest(), hashlib.sha256(data).hexdigest())

    def test_put_object_with_a_trailing_checksum_stores_it(self):
        r = self.c.put_object(Bucket="e2e-s3-objects-signed", Key="summed", Body=b"checked", ChecksumAlgorithm="SHA256")
        g = self.c.get_object(Bucket="e2e-s3-objects-signed", Key="summed", ChecksumMode="ENABLED")
        self.assertEqual(g["ChecksumSHA256"], r["ChecksumSHA256"])
        self.assertEqual(g["Body"].read(), b"checked")

    def test_presigned_put_and_get(self):
        put = self.c.generate_presigned_url("put_object", Params={"Bucket": "e2e-s3-objects-signed", "Key": "pre signed"}, ExpiresIn=300)
        self.assertEqual(fetch(put, b"via a presigned url", "PUT")[0], 200)
        get = self.c.generate_presigned_url("get_object", Params={"Bucket": "e2e-s3-objects-signed", "Key": "pre signed"}, ExpiresIn=300)
        self.assertEqual(fetch(get), (200, b"via a presigned url"))
        tampered = get.replace("pre%20signed", "other")
        self.assertEqual(fetch(tampered)[0], 403)

    def test_another_account_cannot_read_a_private_object(self):
        self.c.put_object(Bucket="e2e-s3-objects-signed", Key="private", Body=b"mine")
        other = s3_client(SIGV4_URL, "AKIAE2ETESTKEY000002", "e2e-secret-two")
        with self.assertRaises(ClientError) as e:
            other.get_object(Bucket="e2e-s3-objects-signed", Key="private")
        self.assertEqual(e.exception.response["Error"]["Code"], "AccessDenied")


class AWSCLI(unittest.TestCase):
    """The AWS CLI's high-level s3 commands (multipart, listing, sync)."""

    def aws(self, *args):
        env = dict(os.environ, AWS_ACCESS_KEY_ID="123456789012", AWS_SECRET_ACCESS_KEY="secret", AWS_DEFAULT_REGION="us-east-1")
        return subprocess.run(["aws", "--endpoint-url", URL, *args], env=env, capture_output=True, text=True, timeout=120)

    def test_cp_ls_and_rm(self):
        if subprocess.run(["which", "aws"], capture_output=True).returncode != 0:
            self.skipTest("the AWS CLI is not installed")
        self.assertEqual(self.aws("s3", "mb", "s3://e2e-s3-objects-cli").returncode, 0)
        with tempfile.TemporaryDirectory() as d:
            src = os.path.join(d, "blob")
            with open(src, "wb") as f:
                f.write(os.urandom(10 * 1024 * 1024))
            r = self.aws("s3", "cp", src, "s3://e2e-s3-objects-cli/dir/blob")
            self.assertEqual(r.returncode, 0, r.stderr)
            r = self.aws("s3", "ls", "s3://e2e-s3-objects-cli/dir/")
            self.assertIn("10485760 blob", r.stdout, r.stderr)
            r = self.aws("s3", "cp", "s3://e2e-s3-objects-cli/dir/blob", os.path.join(d, "back"))
            self.assertEqual(r.returncode, 0, r.stderr)
            with open(src, "rb") as a, open(os.path.join(d, "back"), "rb") as b:
                self.assertEqual(a.read(), b.read())
        self.assertEqual(self.aws("s3", "rm", "--recursive", "s3://e2e-s3-objects-cli/").returncode, 0)
        self.assertEqual(self.aws("s3", "rb", "s3://e2e-s3-objects-cli").returncode, 0)


if __name__ == "__main__":
    unittest.main()
