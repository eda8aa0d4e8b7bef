"""librdkafka's in-process mock broker (C, in memory, no disk I/O) as a benchmark peer.

Creating any librdkafka client with test.mock.num.brokers=1 starts a mock cluster inside this
process; the client's metadata names the mock broker's listener. Prints host:port on one line, then
keeps the process (and so the broker) alive until it is terminated.

    /usr/bin/python3 test/bench/mock-peer.py
"""
import signal
import sys
import time

from confluent_kafka import Producer

producer = Producer({'test.mock.num.brokers': 1, 'log_level': 3})
broker = next(iter(producer.list_topics(timeout=10).brokers.values()))
print(f'{broker.host}:{broker.port}', flush=True)
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
while True:
    time.sleep(3600)
