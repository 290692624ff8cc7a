#!/usr/bin/env python3
"""Health checks and idempotent setup for the local stack's Kafka and S3.

Run with the stack's virtual environment (confluent-kafka, boto3):

  probe.py kafka-health  --brokers HOST:PORT
  probe.py kafka-topics  --brokers HOST:PORT NAME:PARTITIONS [...]
  probe.py s3-health     --endpoint URL --bucket B --region R --access-key K --secret-key S
  probe.py s3-bucket     (same options)  create the bucket if missing, then HEAD it

Exit status 0 on success; a one-line reason on stderr otherwise.
"""

from __future__ import annotations

import argparse
import sys
import time


def _admin(brokers: str):
    from confluent_kafka.admin import AdminClient

    return AdminClient({"bootstrap.servers": brokers, "socket.timeout.ms": 3000, "log_level": 3})


def kafka_health(args) -> int:
    metadata = _admin(args.brokers).list_topics(timeout=3)
    if not metadata.brokers:
        print("kafka: metadata lists no broker", file=sys.stderr)
        return 1
    return 0


def kafka_topics(args) -> int:
    from confluent_kafka.admin import NewTopic

    admin = _admin(args.brokers)
    wanted = {}
    for spec in args.topics:
        name, _, partitions = spec.partition(":")
        wanted[name] = int(partitions or 1)

    existing = admin.list_topics(timeout=5).topics
    missing = [NewTopic(name, num_partitions=n, replication_factor=1) for name, n in wanted.items() if name not in existing]
    if missing:
        for name, future in admin.create_topics(missing, operation_timeout=10, request_timeout=15).items():
            try:
                future.result()
                print(f"[stack] kafka: created topic {name} ({wanted[name]} partitions)", file=sys.stderr)
            except Exception as exc:  # another caller may have created it meanwhile
                if "TOPIC_ALREADY_EXISTS" not in str(exc):
                    print(f"kafka: cannot create topic {name}: {exc}", file=sys.stderr)
                    return 1

    # Verify through metadata (bounded wait: creation is asynchronous on some brokers).
    deadline = time.monotonic() + 15
    while True:
        topics = admin.list_topics(timeout=5).topics
        problems = []
        for name, n in wanted.items():
            if name not in topics:
                problems.append(f"{name} missing")
            elif topics[name].error is not None:
                problems.append(f"{name}: {topics[name].error}")
            elif len(topics[name].partitions) != n:
                problems.append(f"{name} has {len(topics[name].partitions)} partitions, expected {n}")
        if not problems:
            return 0
        if time.monotonic() > deadline:
            print("kafka: " + "; ".join(problems), file=sys.stderr)
            return 1
        time.sleep(0.2)


def _s3(args):
    import boto3
    from botocore.config import Config

    return boto3.client(
        "s3",
        endpoint_url=args.endpoint,
        region_name=args.region,
        aws_access_key_id=args.access_key,
        aws_secret_access_key=args.secret_key,
        config=Config(
            signature_version="s3v4",
            s3={"addressing_style": "path"},
            retries={"max_attempts": 1},
            connect_timeout=2,
            read_timeout=5,
        ),
    )


def s3_health(args) -> int:
    _s3(args).list_buckets()  # a signed request: fails on a wrong secret
    return 0


def s3_bucket(args) -> int:
    from botocore.exceptions import ClientError

    client = _s3(args)
    try:
        client.head_bucket(Bucket=args.bucket)
        return 0
    except ClientError as exc:
        code = str(exc.response.get("Error", {}).get("Code", ""))
        if code not in ("404", "NoSuchBucket", "NotFound"):
            raise
    try:
        client.create_bucket(Bucket=args.bucket)
        print(f"[stack] s3: created bucket {args.bucket}", file=sys.stderr)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
            raise
    client.head_bucket(Bucket=args.bucket)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description="local stack probes")
    sub = parser.add_subparsers(dest="command", required=True)

    for name, fn in (("kafka-health", kafka_health), ("kafka-topics", kafka_topics)):
        p = sub.add_parser(name)
        p.add_argument("--brokers", required=True)
        if name == "kafka-topics":
            p.add_argument("topics", nargs="+", metavar="NAME:PARTITIONS")
        p.set_defaults(fn=fn)

    for name, fn in (("s3-health", s3_health), ("s3-bucket", s3_bucket)):
        p = sub.add_parser(name)
        for opt in ("--endpoint", "--bucket", "--region", "--access-key", "--secret-key"):
            p.add_argument(opt, required=True)
        p.set_defaults(fn=fn)

    args = parser.parse_args()
    try:
        return args.fn(args)
    except Exception as exc:
        print(f"{args.command}: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
