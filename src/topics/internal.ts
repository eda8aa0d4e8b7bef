/**
 * Kafka's internal topics: the logs its coordinators keep their state in. Clients may read them but
 * not create, delete, grow or produce to them; Metadata flags them `is_internal`. This module is the
 * one place that names them.
 */

/** The group coordinator's log: committed offsets and group metadata (Kafka's GroupCoordinator). */
export const CONSUMER_OFFSETS_TOPIC = '__consumer_offsets';

/** The transaction coordinator's log: each transactional id's state (Kafka's TransactionCoordinator). */
export const TRANSACTION_STATE_TOPIC = '__transaction_state';

const INTERNAL_TOPICS: ReadonlySet<string> = new Set([CONSUMER_OFFSETS_TOPIC, TRANSACTION_STATE_TOPIC]);

export function isInternalTopic(name: string): boolean {
  return INTERNAL_TOPICS.has(name);
}
