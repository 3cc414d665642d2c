"""boto3 against jobplane running with --s3-endpoint on moto_server: the
S3 Batch Operations scenarios of batch_common.py, with the objects written
through jobplane's S3 API (into moto) and read back from moto directly.

Run by e2e/batch_test.go (TestBatchOnMotoServer) with JOBPLANE_URL and
MOTO_URL; its name keeps TestBoto3 from running it without moto.
Operations moto cannot serve are left out: S3ReplicateObject (moto runs no
replication and records no replication status) and S3UpdateObjectEncryption
(moto does not implement UpdateObjectEncryption).
"""

import os
import unittest

import batch_common as bc

URL = os.environ["JOBPLANE_URL"]
MOTO = os.environ["MOTO_URL"]
ACCOUNT = "575757575757"


class OperationsOnMoto(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.b = bc.Batch(URL, ACCOUNT, bc.s3_client(URL, ACCOUNT), bc.s3_client(MOTO, ACCOUNT))

    def test_put_object_tagging(self):
        bc.tagging(self.b)

    def test_delete_object_tagging(self):
        bc.delete_tagging(self.b)

    def test_put_object_acl(self):
        bc.canned_acl(self.b)

    def test_put_object_copy(self):
        bc.copy(self.b)

    def test_initiate_restore(self):
        bc.restore(self.b)

    def test_legal_hold_and_retention(self):
        bc.legal_hold_and_retention(self.b)

    def test_object_lock_precheck(self):
        bc.lock_precheck(self.b)

    def test_compute_object_checksum(self):
        bc.checksum(self.b)

    def test_etag_mismatch(self):
        bc.etag_mismatch(self.b)

    def test_manifest_generator(self):
        bc.generator(self.b)

    def test_list_jobs(self):
        bc.list_jobs_shows_progress(self.b)


if __name__ == "__main__":
    unittest.main()
