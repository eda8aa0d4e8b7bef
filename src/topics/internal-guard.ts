/**
 * What clients may not do to an internal topic (src/topics/internal.ts names them): create it,
 * delete it, add partitions to it, produce to it or delete its records. Its coordinator owns it:
 * the group coordinator keeps every committed offset in `__consumer_offsets`, so a client that
 * deleted or re-created it would erase every group's offsets. The check is by name, so it holds
 * whatever the topic's partition count.
 *
 * The answers follow Kafka 4 where Kafka refuses:
 * - Produce and DeleteRecords: 17 INVALID_TOPIC_EXCEPTION, "Cannot append to internal topic X" and
 *   "Cannot delete records of internal topic X" (Kafka's ReplicaManager). Kafka lets a client whose
 *   client id is `__admin_client` append anyway (a back door for its own tools); Tafka does not,
 *   since its coordinator reads that log back at start-up and must not meet foreign records.
 * - CreateTopics: 42 INVALID_REQUEST, "Creation of internal topic X is prohibited." (Kafka's
 *   ControllerApis answers this for `__cluster_metadata`; an existing internal topic gets
 *   36 TOPIC_ALREADY_EXISTS first, as in Kafka).
 * Kafka leaves DeleteTopics and CreatePartitions of internal topics to its authorizer (a client
 * without the ACL gets 29 TOPIC_AUTHORIZATION_FAILED). Tafka has no ACLs, so it refuses them as it
 * refuses creation: 42 INVALID_REQUEST, "Deletion of internal topic X is prohibited." and
 * "Adding partitions to internal topic X is prohibited."
 */
import { ErrorCode, KafkaError } from '../../protocol/errors.js';
import { isInternalTopic } from './internal.js';

/** KRaft's own metadata log: never a topic clients can create (Kafka's Topic.CLUSTER_METADATA_TOPIC_NAME). */
const CLUSTER_METADATA_TOPIC = '__cluster_metadata';

export type ClientMutation = 'create' | 'delete' | 'createPartitions' | 'produce' | 'deleteRecords';

/** The error to answer when a client asks for `mutation` on `topic`, or undefined when it may. */
export function internalTopicRefusal(topic: string, mutation: ClientMutation): KafkaError | undefined {
  if (mutation === 'create' && topic === CLUSTER_METADATA_TOPIC) return prohibited('Creation', topic);
  if (!isInternalTopic(topic)) return undefined;
  switch (mutation) {
    case 'create':
      return prohibited('Creation', topic);
    case 'delete':
      return prohibited('Deletion', topic);
    case 'createPartitions':
      return prohibited('Adding partitions', topic, 'to');
    case 'produce':
      return new KafkaError(ErrorCode.INVALID_TOPIC_EXCEPTION, `Cannot append to internal topic ${topic}`);
    case 'deleteRecords':
      return new KafkaError(ErrorCode.INVALID_TOPIC_EXCEPTION, `Cannot delete records of internal topic ${topic}`);
  }
}

const prohibited = (what: string, topic: string, preposition = 'of') =>
  new KafkaError(ErrorCode.INVALID_REQUEST, `${what} ${preposition} internal topic ${topic} is prohibited.`);
