"""The boto3 clients of the e2e scripts, for jobplane or moto_server, and
the wait for an S3 Batch Operations job's status."""

import time

import boto3
from botocore.config import Config


def s3_client(url, key, secret="secret"):
    """An S3 client (path-style, SigV4, no retries). With jobplane's
    authentication off the access key names the account."""
    cfg = Config(retries={"max_attempts": 1}, s3={"addressing_style": "path"}, signature_version="s3v4")
    return boto3.client("s3", endpoint_url=url, region_name="us-east-1", aws_access_key_id=key,
                        aws_secret_access_key=secret, config=cfg)


def s3control_client(url, account, key=None, secret="secret", validate=True):
    """An S3 Control client of account (no retries; validate=False lets
    out-of-range parameters through to the server). S3 Control goes through
    jobplane as HTTP proxy: the SDK sends it to {AccountId}.<host>, which
    does not resolve."""
    cfg = Config(retries={"max_attempts": 1}, parameter_validation=validate, proxies={"http": url})
    return boto3.client("s3control", endpoint_url=url, region_name="us-east-1", aws_access_key_id=key or account,
                        aws_secret_access_key=secret, config=cfg)


def wait_job(c, account, job_id, *statuses, timeout):
    """Polls DescribeJob until the job reaches one of statuses (preparation
    and the job itself run in the background, as on AWS) and returns the
    job; fails after timeout seconds."""
    deadline = time.time() + timeout
    while True:
        job = c.describe_job(AccountId=account, JobId=job_id)["Job"]
        if job["Status"] in statuses:
            return job
        if time.time() > deadline:
            raise AssertionError("job %s is %s, want one of %s: %s" % (job_id, job["Status"], statuses, job))
        time.sleep(0.02)
