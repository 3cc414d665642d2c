"""Differential test: the same S3 calls, made with boto3, against moto_server
and against jobplane. Run by e2e/s3_test.go (TestS3DifferentialAgainstMoto)
with MOTO_URL and JOBPLANE_URL; jobplane runs with --s3-restore-delay 0s so
that restores complete at once, as moto's do.

Every step is one S3 call (the steps are in diff_s3_steps.py). For each, the
HTTP status, the error code and the fields that matter (picked per step) must
agree. Where jobplane follows real S3 and moto does not, the step is listed
in KNOWN with the evidence; such a step must still differ in the recorded
way, so a fix in either side shows up.

Exit status 0 when every step agrees or differs only as KNOWN says, and
every step KNOWN lists ran.
"""

import json
import os
import sys

from botocore.exceptions import ClientError

sys.path.insert(0, os.path.dirname(__file__))
from aws_clients import s3_client  # noqa: E402
from diff_s3_steps import KNOWN, steps  # noqa: E402

MOTO_URL = os.environ["MOTO_URL"]
JOBPLANE_URL = os.environ["JOBPLANE_URL"]


class Side:
    """One server: its client, its URL and what steps saved (version ids,
    upload ids), which differ between the servers."""

    def __init__(self, name, url):
        self.name, self.url, self.c, self.saved = name, url, s3_client(url, "123456789012"), {}


def run(side, st):
    """The outcome of a step on one side: status, error code, picked fields."""
    try:
        resp = st.call(side.c, side)
    except ClientError as e:
        err = e.response.get("Error", {})
        return {"status": e.response["ResponseMetadata"]["HTTPStatusCode"], "error": err.get("Code")}
    except Exception as e:  # a step that cannot run (its setup failed)
        return {"status": None, "error": "client-side " + type(e).__name__}
    status = resp.get("ResponseMetadata", {}).get("HTTPStatusCode", resp.get("_status"))
    out = {"status": status, "error": None}
    try:
        if st.save:
            st.save(resp, side.saved)
        if st.pick:
            out["fields"] = st.pick(resp, side.saved)
    except Exception as e:  # the answer lacks what the step reads
        out["fields"] = "unreadable answer: %s %s" % (type(e).__name__, e)
    return out


def main():
    moto, jp = Side("moto", MOTO_URL), Side("jobplane", JOBPLANE_URL)
    all_steps = steps()
    unexpected, known_seen = [], set()
    for st in all_steps:
        a, b = run(moto, st), run(jp, st)
        if a == b:
            if st.name in KNOWN:
                unexpected.append({"step": st.name, "problem": "listed in KNOWN but both sides agree", "both": a})
            continue
        if st.name in KNOWN:
            want = KNOWN[st.name]
            known_seen.add(st.name)
            if want["jobplane"] != {k: b.get(k) for k in want["jobplane"]}:
                unexpected.append({"step": st.name, "problem": "jobplane differs from what KNOWN records",
                                   "moto": a, "jobplane": b, "known": want})
            continue
        unexpected.append({"step": st.name, "moto": a, "jobplane": b})
    report = {"calls": len(all_steps), "known_differences": sorted(known_seen), "unexpected": unexpected}
    print(json.dumps(report, indent=1, default=str))
    missing = set(KNOWN) - known_seen - {u["step"] for u in unexpected}
    if missing:
        print("KNOWN lists steps that did not run or did not differ:", sorted(missing))
    print("%d calls: %d agree, %d differ as recorded in KNOWN, %d differ unexpectedly"
          % (len(all_steps), len(all_steps) - len(known_seen) - len(unexpected), len(known_seen), len(unexpected)))
    return 1 if unexpected or missing or len(all_steps) < 150 else 0


if __name__ == "__main__":
    sys.exit(main())
