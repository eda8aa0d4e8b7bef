/**
 * Java's String.hashCode, so that a key lands on the same partition of an internal topic as in
 * Kafka: the group coordinator puts a group on `__consumer_offsets` partition
 * `Utils.abs(groupId.hashCode()) % partitions` (GroupCoordinatorService.partitionFor), and the
 * transaction coordinator a transactional id on `__transaction_state` the same way.
 */

/** s[0]*31^(n-1) + ... + s[n-1] over UTF-16 code units, in 32-bit two's complement, as Java computes it. */
export function javaStringHashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

/** Kafka's Utils.abs: Math.abs, except that Integer.MIN_VALUE (which has no positive) maps to 0. */
export function kafkaAbs(n: number): number {
  return n === -2147483648 ? 0 : Math.abs(n);
}

/** The partition Kafka's coordinators hash `key` onto, of `partitions`. */
export function coordinatorPartitionFor(key: string, partitions: number): number {
  return kafkaAbs(javaStringHashCode(key)) % partitions;
}
