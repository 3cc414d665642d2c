"""boto3 against a running jobplane: S3 Batch Operations jobs that really
run on the embedded object store, one scenario per operation (shared with
batch_moto.py, which runs them on moto_server), plus the operations moto
cannot serve (replication, UpdateObjectEncryption), manifest errors, the
manifest generator and ListJobs.

Run by e2e/e2e_test.go with JOBPLANE_URL (auth off: the access key names
the account). The account below is used by no other script.
"""

import os
import unittest

import batch_common as bc

URL = os.environ["JOBPLANE_URL"]
ACCOUNT = "565656565656"


class Operations(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        s3 = bc.s3_client(URL, ACCOUNT)
        cls.b = bc.Batch(URL, ACCOUNT, s3)

    def test_put_object_tagging_replaces_tags_and_reports_every_row(self):
        bc.tagging(self.b)

    def test_delete_object_tagging_removes_the_tags(self):
        bc.delete_tagging(self.b)

    def test_put_object_acl_applies_a_canned_acl(self):
        bc.canned_acl(self.b)

    def test_put_object_copy_copies_under_the_target_key_prefix(self):
        bc.copy(self.b)

    def test_initiate_restore_starts_restores_of_archived_objects(self):
        bc.restore(self.b)

    def test_legal_hold_and_retention_change_object_lock_settings(self):
        bc.legal_hold_and_retention(self.b)

    def test_object_lock_is_checked_before_any_key(self):
        bc.lock_precheck(self.b)

    def test_compute_object_checksum_reports_json(self):
        bc.checksum(self.b)

    def test_an_etag_mismatch_fails_the_job(self):
        bc.etag_mismatch(self.b)

    def test_the_manifest_generator_filters_and_writes_its_manifest(self):
        bc.generator(self.b)

    def test_list_jobs_shows_the_progress(self):
        bc.list_jobs_shows_progress(self.b)

    def test_replicate_object_follows_the_replication_configuration(self):
        b = self.b
        src, dst = b.bucket("repl-src"), b.bucket("repl-dst")
        for name in (src, dst):
            b.setup.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
        b.setup.put_bucket_replication(Bucket=src, ReplicationConfiguration={
            "Role": "arn:aws:iam::%s:role/repl" % ACCOUNT,
            "Rules": [{"ID": "r", "Status": "Enabled", "Priority": 1, "Filter": {"Prefix": "in/"},
                       "DeleteMarkerReplication": {"Status": "Disabled"},
                       "Destination": {"Bucket": "arn:aws:s3:::" + dst}}]})
        v1 = b.setup.put_object(Bucket=src, Key="in/a", Body=b"payload")["VersionId"]
        v2 = b.setup.put_object(Bucket=src, Key="out/b", Body=b"x")["VersionId"]
        _, _, rep = b.run({"S3ReplicateObject": {}}, ["%s,in%%2Fa,%s" % (src, v1), "%s,out%%2Fb,%s" % (src, v2)],
                          ("Bucket", "Key", "VersionId"))
        bc.expect_row(rep, "in%2Fa", "succeeded", "200")
        bc.expect_row(rep, "out%2Fb", "failed", "500", "SrcObjectNotEligible")
        got = b.check.get_object(Bucket=dst, Key="in/a")
        self.assertEqual(got["Body"].read(), b"payload")
        self.assertEqual(got.get("ReplicationStatus"), "REPLICA")
        self.assertEqual(b.check.head_object(Bucket=src, Key="in/a", VersionId=v1).get("ReplicationStatus"), "COMPLETED")

    def test_update_object_encryption_moves_objects_to_sse_kms(self):
        b = self.b
        data = b.bucket("enc-data")
        b.setup.put_object(Bucket=data, Key="k", Body=b"x")
        key = "arn:aws:kms:us-east-1:%s:key/1234abcd-12ab-34cd-56ef-1234567890ab" % ACCOUNT
        b.run({"S3UpdateObjectEncryption": {"ObjectEncryption": {"SSEKMS": {"KMSKeyArn": key, "BucketKeyEnabled": True}}}},
              [data + ",k"])
        head = b.check.head_object(Bucket=data, Key="k")
        self.assertEqual(head["ServerSideEncryption"], "aws:kms")
        self.assertEqual(head["SSEKMSKeyId"], key)

    def test_a_job_awaiting_confirmation_runs_once_confirmed(self):
        b = self.b
        data = b.bucket("confirm-data")
        b.setup.put_object(Bucket=data, Key="k", Body=b"x", Tagging="a=b")
        job_id = b.create({"S3DeleteObjectTagging": {}}, b.manifest([data + ",k"]), confirm=True)
        job = b.wait(job_id, "Suspended")
        self.assertEqual(job["ProgressSummary"]["TotalNumberOfTasks"], 1)
        self.assertEqual(b.sc.update_job_status(AccountId=ACCOUNT, JobId=job_id, RequestedJobStatus="Ready")["Status"], "Ready")
        b.wait(job_id, "Complete")
        self.assertEqual(b.check.get_object_tagging(Bucket=data, Key="k")["TagSet"], [])


if __name__ == "__main__":
    unittest.main()
