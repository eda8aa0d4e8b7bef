/**
 * DescribeCluster (key 60): the cluster id, the controller and the brokers, as the Java admin
 * client's describeCluster() asks for them (KafkaJS builds its describeCluster from Metadata).
 *
 * Versions: 0-2.
 *
 * Behavior:
 * - One broker: it is the only broker listed and the controller id. A KRaft broker names a live
 *   broker as controller too, since the real controller has no endpoint clients may use.
 * - include_cluster_authorized_operations: the CLUSTER operations the authorizer allows, as a bit
 *   field (0 without DESCRIBE on the cluster); until Tafka has ACLs, like Kafka without an
 *   authorizer, every operation a CLUSTER resource supports.
 * - Errors: endpoint type 2 (controllers) → 114 MISMATCHED_ENDPOINT_TYPE, any type other than 1/2 →
 *   115 UNSUPPORTED_ENDPOINT_TYPE (both 42 INVALID_REQUEST at v0); a refusal carries no brokers.
 *
 * Version notes:
 * - v0: flexible from the start.  v1: endpoint_type (KIP-919).  v2: include_fenced_brokers / is_fenced.
 */
import { DescribeCluster } from '../../protocol/messages/60-describe-cluster.js';
import { ErrorCode } from '../../protocol/errors.js';
import { clusterAuthorizedOperations, OPERATIONS_NOT_REQUESTED } from '../auth/authorizer.js';
import { defineHandler, type Response } from '../server/handler.js';

const BROKER = 1;
const CONTROLLER = 2;

type Result = Response<typeof DescribeCluster>;

const refusal = (errorCode: number, errorMessage: string): Result => ({
  throttleTimeMs: 0,
  errorCode,
  errorMessage,
  endpointType: BROKER,
  clusterId: '',
  controllerId: -1,
  brokers: [],
  clusterAuthorizedOperations: OPERATIONS_NOT_REQUESTED,
});

export default defineHandler({
  api: DescribeCluster,
  minVersion: 0,
  maxVersion: 2,
  handle(req, ctx): Result {
    const { apiVersion } = ctx;
    const { node } = ctx.services;
    if (req.endpointType !== BROKER && req.endpointType !== CONTROLLER) {
      return refusal(apiVersion === 0 ? ErrorCode.INVALID_REQUEST : ErrorCode.UNSUPPORTED_ENDPOINT_TYPE, `Unsupported endpoint type ${req.endpointType}`);
    }
    if (req.endpointType === CONTROLLER) {
      return refusal(
        apiVersion === 0 ? ErrorCode.INVALID_REQUEST : ErrorCode.MISMATCHED_ENDPOINT_TYPE,
        'The request was sent to an endpoint of type BROKER, but we wanted an endpoint of type CONTROLLER',
      );
    }
    const { host, port } = node.advertisedFor(ctx.listenerName);
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      endpointType: BROKER,
      clusterId: node.clusterId,
      controllerId: node.nodeId,
      brokers: [{ brokerId: node.nodeId, host, port, rack: node.rack, isFenced: false }],
      clusterAuthorizedOperations: req.includeClusterAuthorizedOperations
        ? clusterAuthorizedOperations(ctx.services.authorizer, ctx)
        : OPERATIONS_NOT_REQUESTED,
    };
  },
});
