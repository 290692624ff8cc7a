"""The broker's consume rate for a batch benchmark's item messages, on their own.

Produces every line of ITEMS_FILE (one JSON item per line, the size of the worker's messages) to
a new topic of PARTITIONS partitions, then reads them all back with a new consumer group, as the
worker's consumer does (librdkafka, the same fetch settings), and prints the rate in messages/s
measured from the first message received to the last (the group join is not counted).
Loopback only; bounded by the file and a 120 s deadline.

Usage: python batch_bounds.py BROKERS ITEMS_FILE [PARTITIONS]
"""

import sys
import time
import uuid

from confluent_kafka import Consumer, Producer
from confluent_kafka.admin import AdminClient, NewTopic


def main() -> None:
    brokers, path = sys.argv[1], sys.argv[2]
    partitions = int(sys.argv[3]) if len(sys.argv) > 3 else 4
    with open(path, "rb") as handle:
        values = [line.rstrip(b"\n") for line in handle if line.strip()]
    topic = f"bench-bounds-{uuid.uuid4().hex[:12]}"
    admin = AdminClient({"bootstrap.servers": brokers})
    admin.create_topics([NewTopic(topic, num_partitions=partitions, replication_factor=1)])[topic].result(30)
    try:
        producer = Producer({"bootstrap.servers": brokers, "linger.ms": 5, "partitioner": "random"})
        for value in values:
            while True:
                try:
                    producer.produce(topic, value)
                    break
                except BufferError:
                    producer.poll(0.05)
        if producer.flush(60) != 0:
            raise SystemExit("messages left unsent")
        consumer = Consumer({
            "bootstrap.servers": brokers, "group.id": topic, "auto.offset.reset": "earliest",
            "enable.auto.commit": False, "fetch.min.bytes": 1, "fetch.wait.max.ms": 100,
        })
        consumer.subscribe([topic])
        received, first, deadline = 0, None, time.monotonic() + 120
        while received < len(values) and time.monotonic() < deadline:
            for message in consumer.consume(num_messages=1000, timeout=0.5):
                if message.error():
                    continue
                if first is None:
                    first = time.monotonic()
                received += 1
        last = time.monotonic()
        consumer.close()
        if received < len(values) or first is None or last <= first:
            raise SystemExit(f"read {received} of {len(values)} messages")
        print(f"{(received - 1) / (last - first):.0f}")
    finally:
        admin.delete_topics([topic])


if __name__ == "__main__":
    main()
