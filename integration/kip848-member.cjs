// One KIP-848 consumer (librdkafka with group.protocol=consumer, through node-rdkafka), run as its
// own process by kip848.test.ts so that a test can SIGKILL it. Reports on stdout, one JSON object
// per line: {"t":"assignment","partitions":["topic-0",...]} whenever its assignment changes, and
// {"t":"msg","topic","partition","offset","value"} per record (committed synchronously one by one).
// A line "close" on stdin makes it leave the group cleanly and exit.
//
// Usage: node kip848-member.cjs <bootstrap> <group> <topic or ^regex>[,<topic>...] [instance-id]
/* global process, setInterval, clearInterval */
'use strict';
const Kafka = require('node-rdkafka');

const [bootstrap, group, topicList, instanceId] = process.argv.slice(2);
const out = (o) => process.stdout.write(JSON.stringify(o) + '\n');

const consumer = new Kafka.KafkaConsumer({
  'bootstrap.servers': bootstrap,
  'group.id': group,
  'group.protocol': 'consumer',
  'client.id': `kip848-${process.pid}`,
  'enable.auto.commit': false,
  'topic.metadata.refresh.interval.ms': 500,
  ...(instanceId ? { 'group.instance.id': instanceId } : {}),
  rebalance_cb(err, assignment) {
    if (err.code === Kafka.CODES.ERRORS.ERR__ASSIGN_PARTITIONS) this.incrementalAssign(assignment);
    else this.incrementalUnassign(assignment);
  },
}, { 'auto.offset.reset': 'earliest' });

let last = '';
let timer;
function report() {
  let now;
  try {
    now = JSON.stringify(consumer.assignments().map((a) => `${a.topic}-${a.partition}`).sort());
  } catch {
    return; // closing
  }
  if (now !== last) {
    last = now;
    out({ t: 'assignment', partitions: JSON.parse(now) });
  }
}

consumer.on('event.error', (e) => out({ t: 'error', message: e.message }));
consumer.on('data', (m) => {
  out({ t: 'msg', topic: m.topic, partition: m.partition, offset: m.offset, value: m.value.toString() });
  consumer.commitMessageSync(m);
});
consumer.on('ready', () => {
  consumer.subscribe(topicList.split(','));
  consumer.consume();
  timer = setInterval(report, 100);
  out({ t: 'ready' });
});
consumer.connect();

process.stdin.on('data', (d) => {
  if (!String(d).includes('close')) return;
  clearInterval(timer);
  consumer.disconnect(() => process.exit(0));
});
