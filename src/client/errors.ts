/**
 * The client's errors that a caller (the CLI) reports in one line: something about the request or
 * the cluster, not a bug. Anything else thrown is a bug and keeps its stack.
 */
export class ClientError extends Error {
  readonly code: string = 'TAFKA_ERR_CLIENT';
}
