/**
 * Raised by the codec when bytes do not form a valid message. The server answers it by closing the
 * connection, as Kafka does for a request it cannot parse.
 */
export class ProtocolError extends Error {
  readonly code = 'TAFKA_ERR_PROTOCOL';
}
