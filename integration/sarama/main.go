// A Kafka client of the pre-0.11 era, for Tafka's compatibility suite: sarama 1.22 (Debian's
// golang-github-shopify-sarama-dev), the version issue 10 measured. Built and run by
// integration/sarama.test.ts; each mode prints one JSON object on stdout.
//
//	sarama-client legacy <bootstrap> <topic> <group>  sarama's defaults (Kafka 0.8.2): Produce v0 (magic 0,
//	                                                  plain and gzip), Fetch v0, OffsetCommit v1, OffsetFetch v1
//	sarama-client group  <bootstrap> <topic> <group>  Kafka 0.10.2: Produce v2 (magic 1, lz4 and snappy), a consumer
//	                                                  group (JoinGroup v1, SyncGroup v0, Heartbeat v0), Fetch v3
//	sarama-client admin  <bootstrap> <topic>          Kafka 0.11: ClusterAdmin.ListTopics (Metadata v0, DescribeConfigs v0)
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/Shopify/sarama"
)

func check(err error, what string) {
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", what, err)
		os.Exit(1)
	}
}

func output(v interface{}) {
	check(json.NewEncoder(os.Stdout).Encode(v), "encode output")
}

// produce sends the values with a sync producer, one request per SendMessages call, and returns their offsets.
func produce(config *sarama.Config, bootstrap, topic string, values []string, at time.Time) []int64 {
	producer, err := sarama.NewSyncProducer([]string{bootstrap}, config)
	check(err, "producer")
	defer producer.Close()
	var messages []*sarama.ProducerMessage
	for i, v := range values {
		m := &sarama.ProducerMessage{Topic: topic, Partition: 0, Key: sarama.StringEncoder(fmt.Sprintf("k%d", i)), Value: sarama.StringEncoder(v)}
		if !at.IsZero() {
			m.Timestamp = at.Add(time.Duration(i) * time.Second)
		}
		messages = append(messages, m)
	}
	check(producer.SendMessages(messages), "send")
	offsets := []int64{}
	for _, m := range messages {
		offsets = append(offsets, m.Offset)
	}
	return offsets
}

type consumed struct {
	Offset    int64  `json:"offset"`
	Key       string `json:"key"`
	Value     string `json:"value"`
	Timestamp int64  `json:"timestamp"`
}

func record(m *sarama.ConsumerMessage) consumed {
	ts := int64(-1)
	if !m.Timestamp.IsZero() {
		ts = m.Timestamp.UnixNano() / int64(time.Millisecond)
	}
	return consumed{m.Offset, string(m.Key), string(m.Value), ts}
}

// legacy: sarama's defaults, which speak Kafka 0.8.2's protocol.
func legacy(bootstrap, topic, group string) {
	config := sarama.NewConfig()
	config.Producer.Return.Successes = true
	config.Producer.Partitioner = sarama.NewManualPartitioner
	plain := produce(config, bootstrap, topic, []string{"a", "b", "c"}, time.Time{})
	config.Producer.Compression = sarama.CompressionGZIP
	gzipped := produce(config, bootstrap, topic, []string{"d", "e", "f"}, time.Time{})

	consumer, err := sarama.NewConsumer([]string{bootstrap}, config)
	check(err, "consumer")
	pc, err := consumer.ConsumePartition(topic, 0, sarama.OffsetOldest)
	check(err, "consume partition")
	var got []consumed
	for len(got) < 6 {
		select {
		case m := <-pc.Messages():
			got = append(got, record(m))
		case <-time.After(20 * time.Second):
			check(fmt.Errorf("%d of 6 messages", len(got)), "consume")
		}
	}
	check(pc.Close(), "close partition consumer")
	check(consumer.Close(), "close consumer")

	// A standalone group: OffsetFetch v1 for the start, OffsetCommit v1 (generation -1) on close.
	client, err := sarama.NewClient([]string{bootstrap}, config)
	check(err, "client")
	om, err := sarama.NewOffsetManagerFromClient(group, client)
	check(err, "offset manager")
	pom, err := om.ManagePartition(topic, 0)
	check(err, "manage partition")
	before, _ := pom.NextOffset()
	pom.MarkOffset(got[len(got)-1].Offset+1, "done")
	check(pom.Close(), "close partition offset manager")
	check(om.Close(), "close offset manager")
	om, err = sarama.NewOffsetManagerFromClient(group, client)
	check(err, "offset manager again")
	pom, err = om.ManagePartition(topic, 0)
	check(err, "manage partition again")
	after, metadata := pom.NextOffset()
	check(pom.Close(), "close")
	check(om.Close(), "close")
	check(client.Close(), "close client")
	output(map[string]interface{}{"produced": append(plain, gzipped...), "consumed": got, "before": before, "committed": after, "metadata": metadata})
}

type handler struct {
	want    int
	got     []consumed
	initial int64
	done    chan struct{}
}

func (h *handler) Setup(sarama.ConsumerGroupSession) error   { return nil }
func (h *handler) Cleanup(sarama.ConsumerGroupSession) error { return nil }
func (h *handler) ConsumeClaim(sess sarama.ConsumerGroupSession, claim sarama.ConsumerGroupClaim) error {
	h.initial = claim.InitialOffset()
	if len(h.got) >= h.want {
		close(h.done)
		return nil
	}
	for m := range claim.Messages() {
		h.got = append(h.got, record(m))
		sess.MarkMessage(m, "")
		if len(h.got) == h.want {
			close(h.done)
		}
	}
	return nil
}

// consumeGroup joins the group, reads `want` messages (0: just learns where it would start), leaves.
func consumeGroup(config *sarama.Config, bootstrap, topic, group string, want int) *handler {
	cg, err := sarama.NewConsumerGroup([]string{bootstrap}, group, config)
	check(err, "consumer group")
	h := &handler{want: want, done: make(chan struct{})}
	ctx, cancel := context.WithCancel(context.Background())
	errs := make(chan error, 1)
	go func() { errs <- cg.Consume(ctx, []string{topic}, h) }()
	select {
	case <-h.done:
	case err := <-errs:
		check(fmt.Errorf("consume ended early: %v", err), "consume group")
	case <-time.After(45 * time.Second):
		check(fmt.Errorf("%d of %d messages", len(h.got), want), "consume group")
	}
	cancel()
	<-errs
	check(cg.Close(), "close consumer group") // commits the marked offsets
	return h
}

// group: Kafka 0.10.2's protocol, magic 1 messages with timestamps, and a consumer group.
func consumerGroup(bootstrap, topic, group string) {
	config := sarama.NewConfig()
	config.Version = sarama.V0_10_2_0
	config.Producer.Return.Successes = true
	config.Producer.Partitioner = sarama.NewManualPartitioner
	config.Consumer.Offsets.Initial = sarama.OffsetOldest
	at := time.Unix(1700000000, 0)
	config.Producer.Compression = sarama.CompressionLZ4
	lz4 := produce(config, bootstrap, topic, []string{"g", "h", "i"}, at)
	config.Producer.Compression = sarama.CompressionSnappy
	snappy := produce(config, bootstrap, topic, []string{"j", "k"}, at.Add(time.Minute))
	config.Producer.Compression = sarama.CompressionNone
	plain := produce(config, bootstrap, topic, []string{"l"}, at.Add(time.Hour))

	first := consumeGroup(config, bootstrap, topic, group, 6)
	second := consumeGroup(config, bootstrap, topic, group, 0)
	output(map[string]interface{}{
		"produced": append(append(lz4, snappy...), plain...), "consumed": first.got, "resumedAt": second.initial,
	})
}

// admin: ListTopics, which asks for every topic's configs with DescribeConfigs v0.
func admin(bootstrap, topic string) {
	config := sarama.NewConfig()
	config.Version = sarama.V0_11_0_0
	ca, err := sarama.NewClusterAdmin([]string{bootstrap}, config)
	check(err, "cluster admin")
	defer ca.Close()
	topics, err := ca.ListTopics()
	check(err, "list topics")
	detail, ok := topics[topic]
	if !ok {
		check(fmt.Errorf("%s not listed", topic), "list topics")
	}
	configs := map[string]string{}
	for name, value := range detail.ConfigEntries {
		if value != nil {
			configs[name] = *value
		}
	}
	output(map[string]interface{}{"partitions": detail.NumPartitions, "configs": configs})
}

func main() {
	if len(os.Args) < 4 {
		fmt.Fprintln(os.Stderr, "usage: sarama-client legacy|group|admin <bootstrap> <topic> [group]")
		os.Exit(2)
	}
	mode, bootstrap, topic := os.Args[1], os.Args[2], os.Args[3]
	switch mode {
	case "legacy":
		legacy(bootstrap, topic, os.Args[4])
	case "group":
		consumerGroup(bootstrap, topic, os.Args[4])
	case "admin":
		admin(bootstrap, topic)
	default:
		check(fmt.Errorf("unknown mode %s", mode), "usage")
	}
}
