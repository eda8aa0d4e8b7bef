"""acks=all produce latency at a fixed rate, as librdkafka measures it (python3-confluent-kafka).

Sends `rate` messages of `size` bytes a second for `seconds` seconds to partition 0 of `topic`,
linger.ms=0, each message on its own schedule up to 5,000 a second and in one-millisecond slices
above that (Python cannot wait for each of 50,000 moments a second), and prints one JSON line: the
latency from produce() to the broker's acknowledgement (librdkafka's rd_kafka_message_latency, taken
in its broker thread, so Python's own delays do not count) at p50, p99 and max, in milliseconds. The
first second is a warm-up (connections, metadata) and is not counted.

    /usr/bin/python3 test/bench/acks-latency.py BOOTSTRAP TOPIC [RATE] [SECONDS] [SIZE]
"""
import json
import sys
import time

from confluent_kafka import Producer

bootstrap, topic = sys.argv[1], sys.argv[2]
rate = int(sys.argv[3]) if len(sys.argv) > 3 else 2000
seconds = float(sys.argv[4]) if len(sys.argv) > 4 else 5
value = b'x' * (int(sys.argv[5]) if len(sys.argv) > 5 else 100)

producer = Producer({'bootstrap.servers': bootstrap, 'acks': 'all', 'linger.ms': 0, 'log_level': 3})
producer.list_topics(topic, timeout=10)
latencies = []
errors = []


def delivered(err, msg):
    if err is not None:
        errors.append(str(err))
    else:
        latencies.append(msg.latency())


warmup = rate
total = warmup + int(rate * seconds)
# Above a few thousand a second Python cannot wait for each message's own moment: it sends them in
# slices of one millisecond (rate / 1000 messages at each millisecond mark).
step = max(1, rate // 1000) if rate > 5000 else 1
start = time.monotonic()
for i in range(0, total, step):
    due = start + i / rate
    while True:
        left = due - time.monotonic()
        if left <= 0:
            break
        producer.poll(left)
    for j in range(i, min(i + step, total)):
        producer.produce(topic, value, partition=0, on_delivery=delivered if j >= warmup else None)
    producer.poll(0)
producer.flush(30)
if errors or not latencies:
    print(json.dumps({'error': errors[:3] or ['no delivery reports']}))
    sys.exit(1)
latencies.sort()
pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000
print(json.dumps({'count': len(latencies), 'p50': pick(0.5), 'p99': pick(0.99), 'max': latencies[-1] * 1000}))
