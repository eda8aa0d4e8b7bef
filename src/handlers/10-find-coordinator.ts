/**
 * FindCoordinator (key 10): which broker coordinates a group or a transactional id.
 *
 * Versions: 0-6. The minimum stays 0: librdkafka treats "FindCoordinator v0 supported" as the
 * feature flag for consumer groups and transactions, and disables both without it.
 *
 * Behavior:
 * - One broker: it coordinates every group (key type 0) and every transactional id (key type 1),
 *   so the answer is always this broker's advertised host and port — those of the listener the
 *   request came in on.
 * - ACLs, per key: DESCRIBE on the group (else 30 GROUP_AUTHORIZATION_FAILED) or on the
 *   transactional id (else 53 TRANSACTIONAL_ID_AUTHORIZATION_FAILED); a refused key names no broker.
 * - A group key creates `__consumer_offsets` (offsets.topic.num.partitions partitions) if it does not
 *   exist yet, as Kafka creates it on the first FindCoordinator. Kafka answers 15 while it creates
 *   the topic and the client retries; Tafka creates it before answering.
 * - While the group coordinator is still replaying its log at start-up: 15 COORDINATOR_NOT_AVAILABLE,
 *   as Kafka answers while its offsets topic is unavailable. Never 14 here: KafkaJS retries
 *   FindCoordinator only on 15 and gives up on 14.
 * - A transactional id: the first one creates `__transaction_state` (Kafka creates it on the
 *   first such request too, but answers 15 meanwhile; Tafka waits for it, which takes milliseconds).
 * - Another key type (2 = share group, or anything unknown): 42 INVALID_REQUEST.
 *
 * Version notes:
 * - v1: key type, error message, throttle time.  v3: flexible.
 * - v4: batched — `coordinator_keys` in, one `coordinators` entry per key out (KIP-699).
 * - v5: transactional ids may get TRANSACTION_ABORTABLE.  v6: share-group keys (type 2).
 */
import { FindCoordinator } from '../../protocol/messages/10-find-coordinator.js';
import { ErrorCode } from '../../protocol/errors.js';
import { AclOperation, AUTHORIZATION_FAILED_MESSAGE } from '../auth/authorizer.js';
import { defineHandler, type Request, type RequestContext, type Response } from '../server/handler.js';

const GROUP = 0;
const TRANSACTION = 1;

export default defineHandler({
  api: FindCoordinator,
  minVersion: 0,
  maxVersion: 6,
  async handle(req, ctx): Promise<Response<typeof FindCoordinator>> {
    const { node } = ctx.services;
    const { host, port } = node.advertisedFor(ctx.listenerName);
    let errorCode: number;
    let errorMessage: string | null = null;
    if (req.keyType !== GROUP && req.keyType !== TRANSACTION) {
      errorCode = ErrorCode.INVALID_REQUEST;
      errorMessage = `Unsupported key type ${req.keyType}`;
    } else {
      errorCode = await coordinatorStatus(req, ctx);
      if (errorCode !== ErrorCode.NONE) errorMessage = 'The coordinator is not available.';
    }
    // ACLs: DESCRIBE on the group (30) or on the transactional id (53) the key names.
    const { authorizer } = ctx.services;
    const denied = (key: string): [number, string] | undefined => {
      if (errorCode !== ErrorCode.NONE) return undefined;
      if (req.keyType === GROUP && !authorizer.authorize(ctx, AclOperation.DESCRIBE, 'GROUP', key)) return [ErrorCode.GROUP_AUTHORIZATION_FAILED, AUTHORIZATION_FAILED_MESSAGE.GROUP];
      if (req.keyType === TRANSACTION && !authorizer.authorize(ctx, AclOperation.DESCRIBE, 'TRANSACTIONAL_ID', key)) {
        return [ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, AUTHORIZATION_FAILED_MESSAGE.TRANSACTIONAL_ID];
      }
      return undefined;
    };
    const answer = (key: string) => {
      const [code, message] = denied(key) ?? [errorCode, errorMessage];
      const ok = code === ErrorCode.NONE;
      return { key, nodeId: ok ? node.nodeId : -1, host: ok ? host : '', port: ok ? port : -1, errorCode: code, errorMessage: message };
    };
    if (ctx.apiVersion >= 4) {
      return {
        throttleTimeMs: 0, errorCode: 0, errorMessage: null, nodeId: 0, host: '', port: 0,
        coordinators: req.coordinatorKeys.map(answer),
      };
    }
    const a = answer(req.key);
    return {
      throttleTimeMs: 0,
      errorCode: a.errorCode,
      errorMessage: ctx.apiVersion >= 1 ? a.errorMessage : null,
      nodeId: a.nodeId,
      host: a.host,
      port: a.port,
      coordinators: [],
    };
  },
});

/**
 * The coordinator's readiness for this key type: the transaction coordinator may need to start
 * (creating `__transaction_state`), the group coordinator to create `__consumer_offsets`.
 */
async function coordinatorStatus(req: Request<typeof FindCoordinator>, ctx: RequestContext): Promise<number> {
  if (req.keyType === TRANSACTION) return ctx.services.txn.findCoordinatorError();
  const { groups } = ctx.services;
  const status = groups.findCoordinatorError();
  if (status !== ErrorCode.NONE) return status;
  try {
    await groups.prepare();
  } catch (err) {
    ctx.log.error({ err }, 'creating the offsets topic failed');
    return ErrorCode.COORDINATOR_NOT_AVAILABLE;
  }
  return ErrorCode.NONE;
}
