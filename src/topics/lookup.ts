/**
 * Finding the topic a request names. Newer versions of several APIs name topics by id (Produce v13,
 * Fetch v13, Metadata v12 by id alone, OffsetCommit v10, OffsetFetch v10, DeleteTopics v6), older
 * ones by name; a missing topic is 100 UNKNOWN_TOPIC_ID when asked for by id and
 * 3 UNKNOWN_TOPIC_OR_PARTITION when asked for by name, with Kafka's messages.
 */
import { ErrorCode, KafkaError } from '../../protocol/errors.js';
import type { TopicInfo } from './registry.js';

/** How a request names a topic. */
export type TopicRef = { readonly id: string } | { readonly name: string };

/** The two lookups this needs (the topic registry and the topic service both have them). */
export interface TopicDirectory {
  get(name: string): TopicInfo | undefined;
  getById(id: string): TopicInfo | undefined;
}

export type TopicLookup =
  | { readonly topic: TopicInfo; readonly errorCode: typeof ErrorCode.NONE; readonly errorMessage: null }
  | { readonly topic: undefined; readonly errorCode: number; readonly errorMessage: string };

/** The topic `ref` names, or the error for a missing one (100 by id, 3 by name). */
export function findTopic(topics: TopicDirectory, ref: TopicRef): TopicLookup {
  const topic = 'id' in ref ? topics.getById(ref.id) : topics.get(ref.name);
  if (topic) return { topic, errorCode: ErrorCode.NONE, errorMessage: null };
  return 'id' in ref
    ? { topic: undefined, errorCode: ErrorCode.UNKNOWN_TOPIC_ID, errorMessage: `Topic id ${ref.id} does not exist.` }
    : { topic: undefined, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `Topic ${ref.name} does not exist.` };
}

/** Like findTopic, but a missing topic throws its KafkaError. */
export function requireTopic(topics: TopicDirectory, ref: TopicRef): TopicInfo {
  const found = findTopic(topics, ref);
  if (!found.topic) throw new KafkaError(found.errorCode, found.errorMessage);
  return found.topic;
}
