/**
 * Kafka 4's controller commits the changes of one request as one batch of at most 10,000 metadata
 * records (QuorumController.MAX_RECORDS_PER_USER_OP): one per new topic, one per new partition, one
 * per config set. A bigger CreateTopics fails whole, before anything is created, with
 * 44 POLICY_VIOLATION "Unable to perform excessively large batch operation." — which is why
 * Kafka 4 cannot create a 10,000-partition topic in one request. Tafka counts the same records and
 * gives the same answer, for CreatePartitions too (where Kafka's controller fails the overflowing
 * topic with -1 UNKNOWN_SERVER_ERROR instead).
 */
import { ErrorCode, KafkaError } from '../../protocol/errors.js';

export const MAX_RECORDS_PER_REQUEST = 10_000;

export function tooLargeRequest(): KafkaError {
  return new KafkaError(ErrorCode.POLICY_VIOLATION, 'Unable to perform excessively large batch operation.');
}
