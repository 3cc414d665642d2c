"""boto3 drives all 27 Snowball operations over both wire protocols.

botocore picks AWS JSON 1.1 for Snowball; a copy of its own model that lists
only smithy-rpc-v2-cbor, put first on AWS_DATA_PATH, makes the same botocore
send RPC v2 CBOR. Every operation is called with every member of its input
set to a valid value, so the server must decode all of them and pass the
model's validation before the provider answers, with a result or one of the
operation's modeled errors.
"""

import datetime
import gzip
import json
import os
import tempfile
import unittest

import botocore
import botocore.session
from botocore.config import Config
from botocore.exceptions import ClientError

URL = os.environ["JOBPLANE_URL"]
UUID = "123e4567-e89b-12d3-a456-426655440000"

# Valid examples for shapes whose pattern a generic string does not match.
EXAMPLES = {
    "JobId": "JID" + UUID, "ClusterId": "CID" + UUID, "AddressId": "ADID" + UUID,
    "LongTermPricingId": "LTPID" + UUID, "DevicePickupId": "DPID" + UUID,
    "AmiId": "ami-12345678", "KmsKeyARN": "arn:aws:kms:us-east-1:123456789012:key/abcd",
    "RoleARN": "arn:aws:iam::123456789012:role/snow", "SnsTopicARN": "arn:aws:sns:us-east-1:123456789012:topic",
    "ResourceARN": "arn:aws:s3:::bucket", "GSTIN": "22AAAAA0000A1Z5", "Email": "a@example.com",
    "PhoneNumber": "425-555-5555",
}


def example(shape, depth=0):
    t = shape.type_name
    if t == "structure":
        return {name: example(m, depth + 1) for name, m in shape.members.items() if depth < 6}
    if t == "list":
        return [example(shape.member, depth + 1)]
    if t == "map":
        return {"key": example(shape.value, depth + 1)}
    if t == "string":
        if shape.enum:
            return shape.enum[0]
        return EXAMPLES.get(shape.name, "value")
    if t in ("integer", "long"):
        lo = shape.metadata.get("min", 1)
        return max(int(lo), 1) if shape.metadata.get("max", 2) >= 1 else int(lo)
    if t in ("double", "float"):
        return 1.5
    if t == "boolean":
        return True
    if t == "timestamp":
        return datetime.datetime(2026, 11, 21, 12, 30, 15, tzinfo=datetime.timezone.utc)
    if t == "blob":
        return b"bytes"
    raise AssertionError("unexpected shape type " + t)


def snowball_client(protocol):
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
        aws_access_key_id="123456789012", aws_secret_access_key="secret",
        config=Config(retries={"max_attempts": 1}))
    sent = []
    client.meta.events.register("before-send.snowball", lambda request, **kw: sent.append(request))
    return client, sent


class SnowballProtocols(unittest.TestCase):
    def run_all(self, protocol):
        client, sent = snowball_client(protocol)
        model = client.meta.service_model
        self.assertEqual(len(model.operation_names), 27)
        for op in model.operation_names:
            with self.subTest(protocol=protocol, operation=op):
                opm = model.operation_model(op)
                params = example(opm.input_shape)
                method = getattr(client, botocore.xform_name(op))
                try:
                    method(**params)
                except ClientError as e:
                    # Every operation is served: an error is one the
                    # operation models.
                    err = e.response["Error"]
                    self.assertIn(err["Code"], {s.name for s in opm.error_shapes}, e.response)
                req = sent[-1]
                if protocol == "cbor":
                    self.assertEqual(req.headers["Smithy-Protocol"], b"rpc-v2-cbor")
                    self.assertTrue(req.url.endswith("/service/AWSIESnowballJobManagementService/operation/" + op), req.url)
                    self.assertNotIn("X-Amz-Target", req.headers)
                else:
                    self.assertEqual(req.headers["X-Amz-Target"], b"AWSIESnowballJobManagementService." + op.encode())

    def test_every_operation_over_json(self):
        self.run_all("json")

    def test_every_operation_over_cbor(self):
        self.run_all("cbor")

    def test_validation_errors_over_cbor(self):
        client, _ = snowball_client("cbor")
        with self.assertRaises(ClientError) as cm:
            client.describe_job(JobId="JID-not-a-real-job-id-000000000000000000")
        self.assertEqual(cm.exception.response["Error"]["Code"], "ValidationException")
        self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 400)
        self.assertIn("jobId", cm.exception.response["Error"]["Message"])


if __name__ == "__main__":
    unittest.main()
