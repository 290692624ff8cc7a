"""Drives the gateway's OpenAI Batch API with the stock `openai` SDK.

Usage: openai_batch.py GATEWAY_URL API_KEY OTHER_API_KEY

Uploads 300 request lines (half to `simple`, half to `simple` version 1) and one malformed
line, creates a batch, polls it to `completed`, downloads the output and error files, and checks
every result by custom_id; another principal's key gets 404 for the batch and its files. Prints a
summary; exits non-zero with the first problem.
"""

import json
import sys
import tempfile
import time

import openai


def request_line(index: int) -> dict:
    url = "/v2/models/simple/infer" if index % 2 == 0 else "/v2/models/simple/versions/1/infer"
    return {
        "custom_id": f"req-{index}",
        "method": "POST",
        "url": url,
        "body": {
            "inputs": [
                {"name": "INPUT0", "datatype": "INT32", "shape": [1, 16], "data": list(range(16))},
                {"name": "INPUT1", "datatype": "INT32", "shape": [1, 16], "data": [index] * 16},
            ]
        },
    }


def main() -> int:
    gateway, key, other_key = sys.argv[1], sys.argv[2], sys.argv[3]
    client = openai.OpenAI(base_url=gateway + "/openai/v1", api_key=key, max_retries=0, timeout=60)
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as handle:
        for index in range(300):
            handle.write(json.dumps(request_line(index)) + "\n")
            if index == 150:
                handle.write('{"custom_id": "broken-1", "method": "POST", "url": "/v2/models/simple/infer", "body": 7}\n')
        path = handle.name
    with open(path, "rb") as upload:
        uploaded = client.files.create(file=upload, purpose="batch")
    assert uploaded.id.startswith("file-") and uploaded.bytes > 0, uploaded

    batch = client.batches.create(
        input_file_id=uploaded.id, endpoint="/v2/infer", completion_window="24h", metadata={"suite": "interop"}
    )
    assert batch.status in ("validating", "in_progress", "finalizing", "completed"), batch.status
    deadline = time.monotonic() + 120
    while batch.status != "completed":
        if batch.status in ("failed", "cancelled", "expired") or time.monotonic() > deadline:
            print(f"batch ended {batch.status}: {batch}", file=sys.stderr)
            return 1
        time.sleep(0.5)
        batch = client.batches.retrieve(batch.id)
    counts = batch.request_counts
    assert (counts.total, counts.completed, counts.failed) == (301, 300, 1), counts
    assert batch.metadata == {"suite": "interop"}, batch.metadata
    assert any(listed.id == batch.id for listed in client.batches.list(limit=10).data)

    output = client.files.content(batch.output_file_id).text.splitlines()
    assert len(output) == 300, len(output)
    seen = set()
    for text in output:
        line = json.loads(text)
        index = int(line["custom_id"].split("-")[1])
        assert line["error"] is None and line["response"]["status_code"] == 200, line
        outputs = {o["name"]: o["data"] for o in line["response"]["body"]["outputs"]}
        assert outputs["OUTPUT0"] == [i + index for i in range(16)], line["custom_id"]
        seen.add(index)
    assert seen == set(range(300)), "every request once"

    errors = [json.loads(text) for text in client.files.content(batch.error_file_id).text.splitlines()]
    assert [e["custom_id"] for e in errors] == ["broken-1"], errors
    assert errors[0]["response"] is None and errors[0]["error"]["message"], errors[0]
    other = openai.OpenAI(base_url=gateway + "/openai/v1", api_key=other_key, max_retries=0, timeout=60)
    for attempt in (
        lambda: other.batches.retrieve(batch.id),
        lambda: other.files.retrieve(uploaded.id),
        lambda: other.files.content(batch.output_file_id),
        lambda: other.batches.cancel(batch.id),
    ):
        try:
            attempt()
            print("another principal could read the batch or its files", file=sys.stderr)
            return 1
        except openai.NotFoundError:
            pass
    assert all(listed.id != batch.id for listed in other.batches.list(limit=100).data)
    print(f"openai SDK {openai.__version__}: batch {batch.id} completed, 300 results correct by custom_id, "
          f"1 error line for custom_id broken-1 ({errors[0]['error']['code']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
