/**
 * Which partition of a coordinator's internal topic holds a key (a group id, a transactional id):
 * Kafka's `Utils.abs(key.hashCode) % partitions`, with Java's String.hashCode, so a key lands in
 * the same partition number as in Kafka and a data directory reads the same in both.
 */

/** Java's String.hashCode: s[0]*31^(n-1) + ... + s[n-1] over UTF-16 code units, in int32 arithmetic. */
export function javaStringHashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

/** Kafka's Utils.abs: Integer.MIN_VALUE maps to 0, not to itself. */
const abs = (n: number): number => (n === -0x80000000 ? 0 : Math.abs(n));

export function partitionForKey(key: string, partitions: number): number {
  return abs(javaStringHashCode(key)) % partitions;
}
