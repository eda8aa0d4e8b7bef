/**
 * The resources the config APIs (DescribeConfigs, AlterConfigs, IncrementalAlterConfigs) name, and
 * the checks they share before touching one: Kafka's ConfigResource.Type ids and how a topic or
 * broker resource name is resolved.
 */
import { ErrorCode, KafkaError } from '../protocol/errors.js';
import type { Broker } from './broker.js';
import type { TopicInfo } from './topics.js';
import { invalidTopicName } from './topics.js';

export const ConfigResourceType = { UNKNOWN: 0, TOPIC: 2, BROKER: 4, BROKER_LOGGER: 8, CLIENT_METRICS: 16, GROUP: 32 } as const;

/** The topic a TOPIC resource names; 17 for an illegal name, 3 when there is no such topic. */
export function topicResource(broker: Broker, name: string): TopicInfo {
  const bad = invalidTopicName(name);
  if (bad) throw new KafkaError(ErrorCode.INVALID_TOPIC_EXCEPTION, bad);
  const topic = broker.topics.get(name);
  if (!topic) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic ${name} does not exist.`);
  return topic;
}

/**
 * A BROKER resource is this broker's id, or "" for the cluster-wide dynamic defaults; any other
 * name is 42 INVALID_REQUEST, with Kafka's messages.
 */
export function brokerResource(broker: Broker, name: string): 'this-broker' | 'cluster-default' {
  if (name === '') return 'cluster-default';
  if (!/^-?\d+$/.test(name)) throw new KafkaError(ErrorCode.INVALID_REQUEST, `Broker id must be an integer, but it is: ${name}`);
  if (Number(name) !== broker.nodeId) {
    throw new KafkaError(ErrorCode.INVALID_REQUEST, `Unexpected broker id, expected ${broker.nodeId} or empty string, but received ${name}`);
  }
  return 'this-broker';
}
