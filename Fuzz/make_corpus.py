#!/usr/bin/env python3
"""Writes the seed corpora under Fuzz/corpus/<target>/: a handful of small valid and malformed
inputs per fuzz target, in the input layout each target documents. Run from anywhere; the files
are committed, so run it again only to change the seeds."""

import json
import os
import struct

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def write(target, name, data):
    folder = os.path.join(ROOT, target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as handle:
        handle.write(data if isinstance(data, bytes) else data.encode())


def compact(value):
    return json.dumps(value, separators=(",", ":"))


# KServe v2 JSON request bodies (FuzzInferJSON: the input is the body).
JSON_SEEDS = {
    "fp32": {"inputs": [{"name": "INPUT0", "datatype": "FP32", "shape": [2, 2], "data": [[1.5, -2], [3e-3, 4]]}]},
    "int64-flat": {
        "id": "r1",
        "inputs": [{"name": "x", "datatype": "INT64", "shape": [3], "data": [1, -9007199254740993, 3]}],
        "outputs": [{"name": "y", "parameters": {"binary_data": True}}],
    },
    "bytes": {"inputs": [{"name": "text", "datatype": "BYTES", "shape": [2], "data": ["a\u00e9\ud83d\ude00", ""]}]},
    "bool-uint8": {
        "parameters": {"priority": 1, "timeout": 100, "tag": "x"},
        "inputs": [
            {"name": "b", "datatype": "BOOL", "shape": [2], "data": [True, False]},
            {"name": "u", "datatype": "UINT8", "shape": [1, 1], "data": [[255]]},
        ],
    },
    "fp16-bf16": {
        "inputs": [
            {"name": "h", "datatype": "FP16", "shape": [2], "data": [0.5, 65504]},
            {"name": "g", "datatype": "BF16", "shape": [1], "data": [1.0]},
        ]
    },
    "classification": {
        "inputs": [{"name": "x", "datatype": "FP64", "shape": [1], "data": [1e308]}],
        "outputs": [{"name": "probs", "parameters": {"classification": 3}}],
    },
    "shared-memory": {
        "inputs": [
            {
                "name": "x",
                "datatype": "INT32",
                "shape": [4],
                "parameters": {"shared_memory_region": "r", "shared_memory_byte_size": 16},
            }
        ]
    },
    "simple-model": {
        "inputs": [
            {"name": "INPUT0", "datatype": "INT32", "shape": [1, 16], "data": list(range(16))},
            {"name": "INPUT1", "datatype": "INT32", "shape": [1, 16], "data": [1] * 16},
        ],
        "outputs": [{"name": "OUTPUT0"}],
    },
    "response": {
        "model_name": "m",
        "model_version": "1",
        "outputs": [{"name": "y", "datatype": "INT8", "shape": [2], "data": [-128, 127]}],
    },
}
for name, body in JSON_SEEDS.items():
    write("FuzzInferJSON", name + ".json", compact(body))
MALFORMED_JSON = {
    "shape-mismatch.json": compact({"inputs": [{"name": "x", "datatype": "FP32", "shape": [3], "data": [1, 2]}]}),
    "ragged.json": compact({"inputs": [{"name": "x", "datatype": "INT32", "shape": [2, 2], "data": [[1, 2], [3]]}]}),
    "negative-dim.json": compact({"inputs": [{"name": "x", "datatype": "INT32", "shape": [-1], "data": []}]}),
    "huge-shape.json": compact(
        {"inputs": [{"name": "x", "datatype": "FP64", "shape": [4294967296, 4294967296], "data": []}]}
    ),
    "out-of-range.json": compact({"inputs": [{"name": "x", "datatype": "UINT8", "shape": [1], "data": [256]}]}),
    "truncated.json": '{"inputs":[{"name":"x","datatype":"FP32","shape":[1],"data":[1.',
    "deep.json": '{"inputs":[{"name":"x","datatype":"INT32","shape":[1],"data":' + "[" * 80 + "1" + "]" * 80 + "}]}",
    "escapes.json": '{"id":"\\ud800\\u0041\\n","inputs":[]}',
    "duplicate-keys.json": '{"inputs":[],"inputs":[{"name":"a","datatype":"BOOL","shape":[],"data":true}]}',
    "not-object.json": "[1,2,3]",
}
for name, body in MALFORMED_JSON.items():
    write("FuzzInferJSON", name, body)


# Binary tensor bodies (FuzzInferBinary: a mode byte, the header length, then the body).
def binary_body(inputs, blobs):
    header = compact({"inputs": inputs}).encode()
    return header, header + b"".join(blobs)


def by_int32(length, body):
    return b"\x00" + struct.pack("<i", length) + body


def by_header(text, body):
    raw = text.encode()
    return b"\x01" + bytes([len(raw)]) + raw + body


fp32 = struct.pack("<4f", 1, 2, 3, 4)
header, body = binary_body(
    [{"name": "x", "datatype": "FP32", "shape": [2, 2], "parameters": {"binary_data_size": len(fp32)}}], [fp32]
)
write("FuzzInferBinary", "fp32-int32-length", by_int32(len(header), body))
write("FuzzInferBinary", "fp32-header-text", by_header(str(len(header)), body))
write("FuzzInferBinary", "header-spaces", by_header(" %d " % len(header), body))
strings = struct.pack("<I", 2) + b"hi" + struct.pack("<I", 0)
header, body = binary_body(
    [
        {"name": "s", "datatype": "BYTES", "shape": [2], "parameters": {"binary_data_size": len(strings)}},
        {"name": "j", "datatype": "INT16", "shape": [1], "data": [7]},
    ],
    [strings],
)
write("FuzzInferBinary", "bytes-and-json", by_int32(len(header), body))
write("FuzzInferBinary", "negative-length", by_int32(-1, body))
write("FuzzInferBinary", "oversized-length", by_int32(0x7FFFFFFF, body))
write("FuzzInferBinary", "header-not-number", by_header("12a", body))
write("FuzzInferBinary", "header-minus", by_header("-5", body))
write("FuzzInferBinary", "size-too-big", by_int32(len(header), body[:-1]))
header, body = binary_body(
    [{"name": "x", "datatype": "FP64", "shape": [1], "parameters": {"binary_data_size": -8}}], [b"\x00" * 8]
)
write("FuzzInferBinary", "negative-size", by_int32(len(header), body))
header, body = binary_body(
    [{"name": "x", "datatype": "UINT32", "shape": [1], "parameters": {"binary_data_size": 9223372036854775807}}], []
)
write("FuzzInferBinary", "max-size", by_int32(len(header), body))


# Classify uploads (FuzzMultipartImage: a length byte, that many bytes of Content-Type, the body).
def upload(content_type, body):
    raw = content_type.encode()
    return bytes([len(raw)]) + raw + body


def multipart(boundary, parts, epilogue=True):
    out = b"preamble\r\n"
    for headers, content in parts:
        out += b"--" + boundary + b"\r\n" + headers + b"\r\n\r\n" + content + b"\r\n"
    return out + (b"--" + boundary + b"--\r\n" if epilogue else b"")


png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
write("FuzzMultipartImage", "raw-png", upload("image/png", png))
write("FuzzMultipartImage", "no-type", upload("", png))
write(
    "FuzzMultipartImage",
    "named-image",
    upload(
        'multipart/form-data; boundary="XYZ"',
        multipart(
            b"XYZ",
            [
                (b'Content-Disposition: form-data; name="note"', b"hi"),
                (b'Content-Disposition: form-data; name="image"; filename="a.png"\r\nContent-Type: image/png', png),
            ],
        ),
    ),
)
write(
    "FuzzMultipartImage",
    "file-part",
    upload(
        "Multipart/Form-Data; charset=x; boundary=b",
        multipart(b"b", [(b'content-disposition: form-data; name="f"; filename="x.jpg"', b"\xff\xd8\xff")]),
    ),
)
write("FuzzMultipartImage", "no-boundary", upload("multipart/form-data", multipart(b"b", [(b"X: y", png)])))
write("FuzzMultipartImage", "no-end", upload("multipart/form-data; boundary=b", b"--b\r\nX: y\r\n\r\nabc"))
write(
    "FuzzMultipartImage",
    "empty-part",
    upload("multipart/form-data; boundary=b", multipart(b"b", [(b'Content-Disposition: form-data; name="image"', b"")])),
)
write("FuzzMultipartImage", "only-close", upload("multipart/form-data; boundary=b", b"--b--\r\n"))
write("FuzzMultipartImage", "empty-body", upload("image/jpeg", b""))


# JSON Lines batch uploads (FuzzJSONLines: the line limit - 1, a chunking seed, then the body).
def lines(limit, seed, body):
    return bytes([limit - 1, seed]) + body


item = compact({"inputs": [{"name": "x", "datatype": "FP32", "shape": [1], "data": [1]}]}).encode()
write("FuzzJSONLines", "two-items", lines(200, 7, item + b"\n" + item + b"\n"))
write("FuzzJSONLines", "crlf-no-final-newline", lines(200, 1, item + b"\r\n" + item))
write("FuzzJSONLines", "bom-and-blank", lines(200, 3, b"\xef\xbb\xbf" + item + b"\n \t\n\n" + item + b"\n"))
write("FuzzJSONLines", "too-long", lines(16, 9, b'{"a":1}\n' + b"x" * 40 + b"\n{}\n"))
write("FuzzJSONLines", "exactly-limit-cr", lines(8, 5, b"12345678\r\n123456789\r\n"))
write("FuzzJSONLines", "partial-bom", lines(4, 2, b"\xef\xbb"))
write("FuzzJSONLines", "only-newlines", lines(1, 255, b"\n\r\n\n"))
