"""boto3 drives every Snowball operation and every modeled error jobplane
raises, over AWS JSON 1.1 and over RPC v2 CBOR (botocore made to speak CBOR
with a copy of its model, as in test_snowball_protocols.py).

Run by e2e/e2e_test.go's TestBoto3 against the shared server, and by
e2e/snowball_test.go against a server whose return labels generate at once
(JOBPLANE_SNOWBALL_INSTANT_LABELS=1), which is how a second label request
meets ReturnShippingLabelAlreadyExistsException instead of ConflictException.
Each protocol acts as its own account, used by no other script.
"""

import gzip
import json
import os
import tempfile
import unittest
import urllib.request

import botocore
import botocore.session
from botocore.config import Config
from botocore.exceptions import ClientError

URL = os.environ["JOBPLANE_URL"]
INSTANT_LABELS = os.environ.get("JOBPLANE_SNOWBALL_INSTANT_LABELS") == "1"
OPERATIONS = 27


def snowball_client(protocol, account):
    session = botocore.session.get_session()
    if protocol == "cbor":
        data = tempfile.mkdtemp()
        target = os.path.join(data, "snowball", "2016-06-30")
        os.makedirs(target)
        src = os.path.join(os.path.dirname(botocore.__file__), "data", "snowball", "2016-06-30", "service-2.json.gz")
        model = json.load(gzip.open(src))
        model["metadata"]["protocols"] = ["smithy-rpc-v2-cbor"]
        model["metadata"]["protocol"] = "smithy-rpc-v2-cbor"
        with open(os.path.join(target, "service-2.json"), "w") as f:
            json.dump(model, f)
        session.get_component("data_loader").search_paths.insert(0, data)
    client = session.create_client(
        "snowball", endpoint_url=URL, region_name="us-east-1",
        aws_access_key_id=account, aws_secret_access_key="secret",
        config=Config(retries={"max_attempts": 1}))
    sent = []
    client.meta.events.register("before-send.snowball", lambda request, **kw: sent.append(request))
    return client, sent


def advance(job_id, times=1):
    for _ in range(times):
        req = urllib.request.Request(URL + "/_jobplane/snowball/jobs/" + job_id + "/advance", method="POST")
        with urllib.request.urlopen(req) as resp:
            state = json.load(resp)["JobState"]
    return state


def download(url):
    with urllib.request.urlopen(url) as resp:
        return resp.status, resp.read()


ADDRESS = {"Name": "Jane Doe", "Company": "Example Corp", "Street1": "1 Main St", "City": "Seattle",
           "StateOrProvince": "WA", "Country": "USA", "PostalCode": "98101", "PhoneNumber": "425-555-5555"}
UNKNOWN = "123e4567-e89b-12d3-a456-426655440000"


class SnowballAPI:
    protocol = None
    account = None

    def setUp(self):
        self.c, self.sent = snowball_client(self.protocol, self.account)
        self.called = set()
        self.c.meta.events.register("after-call.snowball", lambda model, **kw: self.called.add(model.name))
        self.kms = "arn:aws:kms:us-east-1:%s:key/1234abcd-12ab-34cd-56ef-1234567890ab" % self.account
        self.role = "arn:aws:iam::%s:role/snowball-import" % self.account
        self.topic = "arn:aws:sns:us-east-1:%s:snow-events" % self.account

    def sent_as_protocol(self):
        req = self.sent[-1]
        if self.protocol == "cbor":
            self.assertEqual(req.headers["Smithy-Protocol"], b"rpc-v2-cbor")
        else:
            self.assertIn("X-Amz-Target", req.headers)

    def address(self):
        return self.c.create_address(Address=ADDRESS)["AddressId"]

    def job(self, **kw):
        params = dict(JobType="IMPORT", SnowballType="V3_5C", AddressId=self.address(), ShippingOption="SECOND_DAY",
                      Resources={"S3Resources": [{"BucketArn": "arn:aws:s3:::import-bucket"}]})
        params.update(kw)
        return self.c.create_job(**params)["JobId"]

    def test_every_operation_answers(self):
        c = self.c
        addr = c.create_address(Address=ADDRESS)["AddressId"]
        self.assertRegex(addr, r"^ADID[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
        got = c.describe_address(AddressId=addr)["Address"]
        self.assertEqual((got["Country"], got["StateOrProvince"], got["AddressId"]), ("US", "WA", addr))
        self.assertIn(addr, [a["AddressId"] for a in c.describe_addresses(MaxResults=100)["Addresses"]])

        ltp = c.create_long_term_pricing(LongTermPricingType="OneYear", SnowballType="V3_5C")["LongTermPricingId"]
        self.assertRegex(ltp, r"^LTPID[0-9a-f-]{36}$")
        ami = c.list_compatible_images()["CompatibleImages"][0]["AmiId"]

        job = c.create_job(JobType="IMPORT", SnowballType="V3_5C", AddressId=addr, ShippingOption="SECOND_DAY",
                           Resources={"S3Resources": [{"BucketArn": "arn:aws:s3:::import-bucket",
                                                       "KeyRange": {"BeginMarker": "a", "EndMarker": "z"}}],
                                      "Ec2AmiResources": [{"AmiId": ami}]},
                           KmsKeyARN=self.kms, RoleARN=self.role, Description="every operation",
                           Notification={"SnsTopicARN": self.topic, "NotifyAll": True},
                           LongTermPricingId=ltp, SnowballCapacityPreference="T32")["JobId"]
        self.assertRegex(job, r"^JID[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
        self.sent_as_protocol()
        meta = c.describe_job(JobId=job)["JobMetadata"]
        self.assertEqual((meta["JobState"], meta["KmsKeyARN"], meta["LongTermPricingId"]), ("New", self.kms, ltp))
        self.assertIn(job, [e["JobId"] for e in c.list_jobs(MaxResults=100)["JobListEntries"]])
        c.update_job(JobId=job, Description="updated", ShippingOption="NEXT_DAY")
        meta = c.describe_job(JobId=job)["JobMetadata"]
        self.assertEqual((meta["Description"], meta["ShippingDetails"]["ShippingOption"]), ("updated", "NEXT_DAY"))
        c.update_long_term_pricing(LongTermPricingId=ltp, IsLongTermPricingAutoRenew=True, ReplacementJob=job)
        entry = [e for e in c.list_long_term_pricing()["LongTermPricingEntries"] if e["LongTermPricingId"] == ltp][0]
        self.assertEqual((entry["JobIds"], entry["CurrentActiveJob"], entry["ReplacementJob"], entry["IsLongTermPricingAutoRenew"]),
                         ([job], job, job, True))

        self.assertEqual(advance(job, 4), "WithCustomer")
        code = c.get_job_unlock_code(JobId=job)["UnlockCode"]
        self.assertRegex(code, r"^[0-9a-z]{5}(-[0-9a-z]{5}){4}$")
        status, manifest = download(c.get_job_manifest(JobId=job)["ManifestURI"])
        self.assertEqual(status, 200)
        self.assertTrue(manifest.startswith(b"JOBPLANE-SNOWBALL-MANIFEST/1\n"))
        status, update = download(c.get_software_updates(JobId=job)["UpdatesURI"])
        self.assertIn(b"snow-device-os", update)
        label = c.create_return_shipping_label(JobId=job, ShippingOption="NEXT_DAY")["Status"]
        self.assertEqual(label, "Succeeded" if INSTANT_LABELS else "InProgress")
        described = c.describe_return_shipping_label(JobId=job)
        self.assertEqual(described["Status"], label)
        if INSTANT_LABELS:
            status, body = download(described["ReturnShippingLabelURI"])
            self.assertIn(b"RETURN SHIPPING LABEL", body)
        c.update_job_shipment_state(JobId=job, ShipmentState="RETURNED")
        self.assertEqual(c.describe_job(JobId=job)["JobMetadata"]["JobState"], "InTransitToAWS")

        doomed = self.job(JobType="LOCAL_USE", Resources={})
        c.cancel_job(JobId=doomed)
        self.assertEqual(c.describe_job(JobId=doomed)["JobMetadata"]["JobState"], "Cancelled")

        cluster = c.create_cluster(JobType="LOCAL_USE", SnowballType="V3_5C", AddressId=addr, ShippingOption="NEXT_DAY",
                                   InitialClusterSize=3, Description="Edge", LongTermPricingIds=[ltp],
                                   OnDeviceServiceConfiguration={"S3OnDeviceService": {"StorageLimit": 38, "StorageUnit": "TB",
                                                                                      "ServiceSize": 3, "FaultTolerance": 1}})
        cid = cluster["ClusterId"]
        self.assertRegex(cid, r"^CID[0-9a-f-]{36}$")
        self.assertEqual([e["Description"] for e in cluster["JobListEntries"]], ["Edge-node-001", "Edge-node-002", "Edge-node-003"])
        self.assertEqual(c.describe_cluster(ClusterId=cid)["ClusterMetadata"]["ClusterState"], "AwaitingQuorum")
        self.assertIn(cid, [e["ClusterId"] for e in c.list_clusters()["ClusterListEntries"]])
        self.assertEqual(len(c.list_cluster_jobs(ClusterId=cid)["JobListEntries"]), 3)
        c.update_cluster(ClusterId=cid, Description="Edge renamed", ShippingOption="SECOND_DAY")
        self.assertEqual(c.describe_cluster(ClusterId=cid)["ClusterMetadata"]["Description"], "Edge renamed")
        c.cancel_cluster(ClusterId=cid)
        self.assertEqual(c.describe_cluster(ClusterId=cid)["ClusterMetadata"]["ClusterState"], "Cancelled")

        usage = c.get_snowball_usage()
        self.assertGreaterEqual(usage["SnowballsInUse"], 1)
        self.assertEqual(usage["SnowballLimit"], 1)
        pickups = c.list_pickup_locations()["Addresses"]
        self.assertTrue(pickups and all(a["Type"] == "CUST_PICKUP" for a in pickups))
        versions = c.list_service_versions(ServiceName="KUBERNETES")
        self.assertEqual(versions["ServiceName"], "KUBERNETES")
        self.assertTrue(versions["ServiceVersions"])
        self.assertEqual(len(self.called), OPERATIONS, sorted(self.called))

    def test_paging_is_complete_and_newest_first(self):
        made = [self.job(JobType="LOCAL_USE", Resources={}, Description="page %d" % i) for i in range(7)]
        seen, token = [], None
        while True:
            kw = {"MaxResults": 3}
            if token:
                kw["NextToken"] = token
            page = self.c.list_jobs(**kw)
            seen += [e["JobId"] for e in page["JobListEntries"]]
            token = page.get("NextToken")
            if not token:
                break
        mine = [j for j in seen if j in made]
        self.assertEqual(mine, list(reversed(made)))
        self.assertEqual(len(seen), len(set(seen)))
        pages = self.c.get_paginator("list_jobs").paginate(PaginationConfig={"PageSize": 2})
        self.assertEqual(sum(len(p["JobListEntries"]) for p in pages), len(seen))

    def expect(self, code, call, **members):
        try:
            call()
        except ClientError as e:
            self.assertEqual(e.response["Error"]["Code"], code, e.response)
            self.assertEqual(e.response["ResponseMetadata"]["HTTPStatusCode"], 400)
            for k, v in members.items():
                self.assertEqual(e.response.get(k), v, e.response)
            return e.response
        self.fail("the call succeeded; want " + code)

    def test_every_modeled_error(self):
        c = self.c
        addr = self.address()
        jid, cid = "JID" + UNKNOWN, "CID" + UNKNOWN
        other_kms = "arn:aws:kms:us-east-1:000011112222:key/1234abcd-12ab-34cd-56ef-1234567890ab"
        bad_ami = {"Ec2AmiResources": [{"AmiId": "ami-0123456789abcdef0"}]}
        new_job = self.job(Description="errors")
        with_customer = self.job(ShippingOption="SECOND_DAY")
        advance(with_customer, 4)
        cluster = c.create_cluster(JobType="LOCAL_USE", SnowballType="V3_5C", AddressId=addr, ShippingOption="NEXT_DAY",
                                   InitialClusterSize=16)["ClusterId"]
        cancelled = c.create_cluster(JobType="LOCAL_USE", SnowballType="V3_5C", AddressId=addr, ShippingOption="NEXT_DAY")["ClusterId"]
        c.cancel_cluster(ClusterId=cancelled)
        bad_token = "bm90LWEtcmVhbC10b2tlbg"
        cases = [
            ("CancelCluster", "InvalidResourceException", lambda: c.cancel_cluster(ClusterId=cid)),
            ("CancelCluster", "InvalidJobStateException", lambda: c.cancel_cluster(ClusterId=cancelled)),
            ("CancelJob", "InvalidResourceException", lambda: c.cancel_job(JobId=jid)),
            ("CancelJob", "InvalidJobStateException", lambda: c.cancel_job(JobId=with_customer)),
            ("CreateAddress", "InvalidAddressException", lambda: c.create_address(Address=dict(ADDRESS, PostalCode="9810"))),
            ("CreateAddress", "InvalidAddressException", lambda: c.create_address(Address=dict(ADDRESS, Country="Atlantis"))),
            ("CreateAddress", "UnsupportedAddressException", lambda: c.create_address(Address=dict(ADDRESS, Country="DE", StateOrProvince="HE", PostalCode="60314"))),
            ("CreateAddress", "UnsupportedAddressException", lambda: c.create_address(Address=dict(ADDRESS, StateOrProvince="PR", PostalCode="00901"))),
            ("CreateCluster", "InvalidResourceException", lambda: c.create_cluster(JobType="LOCAL_USE", SnowballType="V3_5C", AddressId="ADID" + UNKNOWN, ShippingOption="NEXT_DAY")),
            ("CreateCluster", "KMSRequestFailedException", lambda: c.create_cluster(JobType="LOCAL_USE", SnowballType="V3_5C", AddressId=addr, ShippingOption="NEXT_DAY", KmsKeyARN=other_kms)),
            ("CreateCluster", "InvalidInputCombinationException", lambda: c.create_cluster(JobType="IMPORT", SnowballType="V3_5C", AddressId=addr, ShippingOption="NEXT_DAY")),
            ("CreateCluster", "InvalidInputCombinationException", lambda: c.create_cluster(JobType="LOCAL_USE", SnowballType="V3_5C", AddressId=addr, ShippingOption="NEXT_DAY", InitialClusterSize=2)),
            ("CreateCluster", "Ec2RequestFailedException", lambda: c.create_cluster(JobType="LOCAL_USE", SnowballType="V3_5C", AddressId=addr, ShippingOption="NEXT_DAY", Resources=bad_ami)),
            ("CreateJob", "InvalidResourceException", lambda: self.job(AddressId="ADID" + UNKNOWN)),
            ("CreateJob", "InvalidResourceException", lambda: self.job(RoleARN="arn:aws:iam::000011112222:role/not-mine")),
            ("CreateJob", "KMSRequestFailedException", lambda: self.job(KmsKeyARN=other_kms)),
            ("CreateJob", "InvalidInputCombinationException", lambda: self.job(JobType="EXPORT", SnowballType="SNC1_SSD")),
            ("CreateJob", "InvalidInputCombinationException", lambda: self.job(SnowballCapacityPreference="T240")),
            ("CreateJob", "ClusterLimitExceededException", lambda: c.create_job(ClusterId=cluster)),
            ("CreateJob", "Ec2RequestFailedException", lambda: self.job(JobType="LOCAL_USE", Resources=bad_ami)),
            ("CreateLongTermPricing", "InvalidResourceException", lambda: c.create_long_term_pricing(LongTermPricingType="OneYear", SnowballType="STANDARD")),
            ("CreateReturnShippingLabel", "InvalidResourceException", lambda: c.create_return_shipping_label(JobId=jid)),
            ("CreateReturnShippingLabel", "InvalidJobStateException", lambda: c.create_return_shipping_label(JobId=new_job)),
            ("CreateReturnShippingLabel", "InvalidInputCombinationException", lambda: c.create_return_shipping_label(JobId=with_customer, ShippingOption="STANDARD")),
            ("DescribeAddress", "InvalidResourceException", lambda: c.describe_address(AddressId="ADID" + UNKNOWN)),
            ("DescribeAddresses", "InvalidNextTokenException", lambda: c.describe_addresses(NextToken=bad_token)),
            ("DescribeCluster", "InvalidResourceException", lambda: c.describe_cluster(ClusterId=cid)),
            ("DescribeJob", "InvalidResourceException", lambda: c.describe_job(JobId=jid)),
            ("DescribeReturnShippingLabel", "InvalidResourceException", lambda: c.describe_return_shipping_label(JobId=jid)),
            ("DescribeReturnShippingLabel", "InvalidJobStateException", lambda: c.describe_return_shipping_label(JobId=new_job)),
            ("GetJobManifest", "InvalidResourceException", lambda: c.get_job_manifest(JobId=jid)),
            ("GetJobManifest", "InvalidJobStateException", lambda: c.get_job_manifest(JobId=new_job)),
            ("GetJobUnlockCode", "InvalidResourceException", lambda: c.get_job_unlock_code(JobId=jid)),
            ("GetJobUnlockCode", "InvalidJobStateException", lambda: c.get_job_unlock_code(JobId=new_job)),
            ("GetSoftwareUpdates", "InvalidResourceException", lambda: c.get_software_updates(JobId=jid)),
            ("GetSoftwareUpdates", "InvalidJobStateException", lambda: c.get_software_updates(JobId=new_job)),
            ("ListClusterJobs", "InvalidResourceException", lambda: c.list_cluster_jobs(ClusterId=cid)),
            ("ListClusterJobs", "InvalidNextTokenException", lambda: c.list_cluster_jobs(ClusterId=cluster, NextToken=bad_token)),
            ("ListClusters", "InvalidNextTokenException", lambda: c.list_clusters(NextToken=bad_token)),
            ("ListCompatibleImages", "InvalidNextTokenException", lambda: c.list_compatible_images(NextToken=bad_token)),
            ("ListJobs", "InvalidNextTokenException", lambda: c.list_jobs(NextToken=bad_token)),
            ("ListLongTermPricing", "InvalidNextTokenException", lambda: c.list_long_term_pricing(NextToken=bad_token)),
            ("ListPickupLocations", "InvalidResourceException", lambda: c.list_pickup_locations(NextToken=bad_token)),
            ("ListServiceVersions", "InvalidNextTokenException", lambda: c.list_service_versions(ServiceName="KUBERNETES", NextToken=bad_token)),
            ("ListServiceVersions", "InvalidResourceException", lambda: c.list_service_versions(ServiceName="EKS_ANYWHERE", DependentServices=[{"ServiceName": "KUBERNETES", "ServiceVersion": {"Version": "0.9"}}])),
            ("UpdateCluster", "InvalidResourceException", lambda: c.update_cluster(ClusterId=cid, Description="x")),
            ("UpdateCluster", "InvalidJobStateException", lambda: c.update_cluster(ClusterId=cancelled, Description="x")),
            ("UpdateCluster", "InvalidInputCombinationException", lambda: c.update_cluster(ClusterId=cluster, OnDeviceServiceConfiguration={"TGWOnDeviceService": {"StorageLimit": 80}})),
            ("UpdateCluster", "Ec2RequestFailedException", lambda: c.update_cluster(ClusterId=cluster, Resources=bad_ami)),
            ("UpdateJob", "InvalidResourceException", lambda: c.update_job(JobId=jid, Description="x")),
            ("UpdateJob", "InvalidJobStateException", lambda: c.update_job(JobId=with_customer, Description="x")),
            ("UpdateJob", "InvalidInputCombinationException", lambda: c.update_job(JobId=new_job, SnowballCapacityPreference="T240")),
            ("UpdateJob", "Ec2RequestFailedException", lambda: c.update_job(JobId=new_job, Resources=dict(bad_ami, S3Resources=[{"BucketArn": "arn:aws:s3:::import-bucket"}]))),
            ("UpdateJobShipmentState", "InvalidResourceException", lambda: c.update_job_shipment_state(JobId=jid, ShipmentState="RECEIVED")),
            ("UpdateJobShipmentState", "InvalidJobStateException", lambda: c.update_job_shipment_state(JobId=new_job, ShipmentState="RETURNED")),
            ("UpdateLongTermPricing", "InvalidResourceException", lambda: c.update_long_term_pricing(LongTermPricingId="LTPID" + UNKNOWN, IsLongTermPricingAutoRenew=True)),
        ]
        model = c.meta.service_model
        for op, code, call in cases:
            with self.subTest(operation=op, error=code):
                self.assertIn(code, [s.name for s in model.operation_model(op).error_shapes])
                self.expect(code, call)
                self.sent_as_protocol()
        # Extra members travel with the error.
        self.expect("InvalidResourceException", lambda: c.describe_job(JobId=jid), ResourceType="JobId")

        c.create_return_shipping_label(JobId=with_customer)
        if INSTANT_LABELS:
            self.expect("ReturnShippingLabelAlreadyExistsException", lambda: c.create_return_shipping_label(JobId=with_customer))
        else:
            self.expect("ConflictException", lambda: c.create_return_shipping_label(JobId=with_customer),
                        ConflictResource=with_customer)
        # Nothing is visible from another account.
        other, _ = snowball_client(self.protocol, "999988887777")
        self.expect("InvalidResourceException", lambda: other.describe_job(JobId=new_job))
        self.expect("InvalidResourceException", lambda: other.describe_cluster(ClusterId=cluster))

    def test_lifecycle_of_an_export_with_parts(self):
        c = self.c
        main = self.job(JobType="EXPORT", SnowballType="V3_5S",
                        Resources={"S3Resources": [{"BucketArn": "arn:aws:s3:::export-one"}, {"BucketArn": "arn:aws:s3:::export-two"}]})
        self.assertEqual(advance(main, 2), "InProgress")
        described = c.describe_job(JobId=main)
        self.assertEqual(described["JobMetadata"]["JobState"], "InProgress")
        parts = [m["JobId"] for m in described["SubJobMetadata"]]
        self.assertEqual([m["JobState"] for m in described["SubJobMetadata"]], ["New", "Pending"])
        entries = {e["JobId"]: e for e in c.list_jobs()["JobListEntries"]}
        self.assertTrue(entries[main]["IsMaster"])
        self.assertFalse(entries[parts[0]]["IsMaster"])
        self.assertEqual(advance(parts[0], 5), "WithCustomer")
        c.update_job_shipment_state(JobId=parts[0], ShipmentState="RETURNED")
        self.assertEqual(c.describe_job(JobId=parts[1])["JobMetadata"]["JobState"], "New")
        self.assertEqual(advance(parts[0], 3), "Complete")
        self.assertEqual(advance(parts[1], 9), "Complete")
        self.assertEqual(c.describe_job(JobId=main)["JobMetadata"]["JobState"], "Complete")


class SnowballJSON(SnowballAPI, unittest.TestCase):
    protocol, account = "json", "314159265358"


class SnowballCBOR(SnowballAPI, unittest.TestCase):
    protocol, account = "cbor", "271828182845"


if __name__ == "__main__":
    unittest.main()
