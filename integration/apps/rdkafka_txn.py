"""librdkafka (Debian's python3-confluent-kafka) against a broker: transactions as librdkafka apps
use them. Run by integration/transactions.test.ts with /usr/bin/python3; prints one JSON object.

  produce <bootstrap> <topic> <txn-id>
      three transactions: commit c1 c2, abort a1 a2, commit c3
  consume <bootstrap> <topic> <group> <isolation> <expected>
      reads the topic from the start with isolation.level <isolation> until <expected> records or
      a timeout; prints the values
  transform <bootstrap> <in> <out> <group> <txn-id>
      consume-transform-produce: each record of <in> becomes out:<value> in <out>, with the
      consumer's offsets committed in the same transaction (send_offsets_to_transaction)
"""
import json
import sys
import time

from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition


def producer(bootstrap, txn_id):
    p = Producer({"bootstrap.servers": bootstrap, "transactional.id": txn_id, "transaction.timeout.ms": 60000})
    p.init_transactions(30)
    return p


def produce(bootstrap, topic, txn_id):
    p = producer(bootstrap, txn_id)
    for values, commit in ((["c1", "c2"], True), (["a1", "a2"], False), (["c3"], True)):
        p.begin_transaction()
        for v in values:
            p.produce(topic, value=v.encode(), key=v.encode())
        p.flush(30)
        if commit:
            p.commit_transaction(30)
        else:
            p.abort_transaction(30)
    return {"ok": True}


def consume(bootstrap, topic, group, isolation, expected, timeout=30):
    c = Consumer({
        "bootstrap.servers": bootstrap, "group.id": group, "auto.offset.reset": "earliest",
        "isolation.level": isolation, "enable.auto.commit": False,
    })
    c.subscribe([topic])
    values = []
    deadline = time.time() + timeout
    while time.time() < deadline and len(values) < expected:
        m = c.poll(0.5)
        if m is None or m.error():
            continue
        values.append(m.value().decode())
    # A little longer, to catch records that should not be there.
    end = time.time() + 1.5
    while time.time() < end:
        m = c.poll(0.2)
        if m is not None and not m.error():
            values.append(m.value().decode())
    c.close()
    return {"values": values}


def transform(bootstrap, src, dst, group, txn_id, timeout=30):
    p = producer(bootstrap, txn_id)
    c = Consumer({
        "bootstrap.servers": bootstrap, "group.id": group, "auto.offset.reset": "earliest",
        "enable.auto.commit": False, "isolation.level": "read_committed",
    })
    c.subscribe([src])
    done = 0
    idle_since = time.time()
    deadline = time.time() + timeout
    while time.time() < deadline and time.time() - idle_since < 3:
        msgs = c.consume(100, 0.5)
        msgs = [m for m in msgs if not m.error()]
        if not msgs:
            continue
        idle_since = time.time()
        p.begin_transaction()
        for m in msgs:
            p.produce(dst, key=m.key(), value=b"out:" + m.value())
        offsets = {}
        for m in msgs:
            offsets[(m.topic(), m.partition())] = m.offset() + 1
        p.send_offsets_to_transaction(
            [TopicPartition(t, part, o) for (t, part), o in offsets.items()], c.consumer_group_metadata(), 30)
        p.commit_transaction(30)
        done += len(msgs)
    committed = c.committed([TopicPartition(src, 0)], 10)
    c.close()
    return {"transformed": done, "committed": [tp.offset for tp in committed]}


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    try:
        if cmd == "produce":
            out = produce(*args)
        elif cmd == "consume":
            out = consume(args[0], args[1], args[2], args[3], int(args[4]))
        elif cmd == "transform":
            out = transform(*args)
        else:
            raise SystemExit(f"unknown command {cmd}")
    except KafkaException as e:
        out = {"error": str(e)}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
