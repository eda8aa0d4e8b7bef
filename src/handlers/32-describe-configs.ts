/**
 * DescribeConfigs (key 32): the configs of topics and of the broker, with where each value comes from.
 *
 * Versions: 0-4, as Kafka 3.9 served v0 (Kafka 4.0 removed it).
 *
 * Behavior:
 * - TOPIC: every Kafka topic config (src/config/topic-keys.ts) with the value in force. The source
 *   is TOPIC_CONFIG (1) for the topic's own override, else that of the first broker synonym —
 *   STATIC_BROKER_CONFIG (4) for a key set in server.properties / --override, DEFAULT_CONFIG (5) for
 *   a default. Synonyms (include_synonyms) list the override, then the broker chain from its primary
 *   name on, exactly as Kafka's ConfigHelper does — so a retention set by log.retention.hours shows
 *   no synonym under retention.ms, as in Kafka. Topic configs are never read-only or sensitive.
 * - BROKER "<node id>": every broker config Tafka accepts (src/config/broker-keys.ts) and any other
 *   with a dynamic value, with the value in force (null when unset). The source is the highest of
 *   DYNAMIC_BROKER_CONFIG (2, this broker's dynamic value), DYNAMIC_DEFAULT_BROKER_CONFIG (3, the
 *   cluster-wide one), STATIC_BROKER_CONFIG (4), DEFAULT_CONFIG (5); synonyms list them in that order.
 *   read_only unless Kafka can change the key at runtime. A name Kafka does not know (stored
 *   dynamically, as Kafka allows) is sensitive: value null, type UNKNOWN.
 * - BROKER "": the cluster-wide dynamic defaults set, each with its DYNAMIC_DEFAULT_BROKER_CONFIG synonyms.
 * - configuration_keys filters by name (null or empty = all); unknown names are left out silently.
 * - Errors per resource: 3 UNKNOWN_TOPIC_OR_PARTITION, 17 INVALID_TOPIC_EXCEPTION, 42 INVALID_REQUEST
 *   for another broker's id or a resource type Tafka does not have (broker loggers, groups, client metrics).
 * - include_documentation: Tafka carries no config documentation; documentation is null.
 * - ACLs: DESCRIBE_CONFIGS on the topic (else 29) or, for a BROKER resource, on the cluster (else 31).
 *
 * Version notes:
 * - v0: is_default instead of config_source. Kafka 3.9 never set it (its v0 answers always say
 *   false), and neither does Tafka.
 * - v1: config_source and synonyms.  v3: config_type, documentation.  v4: flexible.
 */
import { DescribeConfigs } from '../../protocol/messages/32-describe-configs.js';
import { ErrorCode, isKafkaError } from '../../protocol/errors.js';
import { brokerTypeIdOf, describeBrokerConfigs, describeTopicConfig, typeIdOf } from '../config/describe.js';
import { topicConfigNames } from '../config/topic-keys.js';
import { AclOperation } from '../auth/authorizer.js';
import { brokerResource, configsAuthorizationError, ConfigResourceType, topicResource } from '../config-resource.js';
import { defineHandler, type Response } from '../server/handler.js';
import type { BrokerServices } from '../services.js';

type Result = Response<typeof DescribeConfigs>['results'][number];
type Entry = Result['configs'][number];

function topicEntries({ config, topics }: BrokerServices, topicName: string, keys: (name: string) => boolean, withSynonyms: boolean): Entry[] {
  const topic = topicResource(topics, topicName);
  return topicConfigNames()
    .filter(keys)
    .map((name) => {
      const c = describeTopicConfig(config, topic.configs, name);
      return {
        name,
        value: c.value,
        readOnly: false,
        configSource: c.source,
        isDefault: false, // v0 only
        isSensitive: false,
        synonyms: withSynonyms ? c.synonyms : [],
        configType: typeIdOf(name),
        documentation: null,
      };
    });
}

function brokerEntries({ config, node }: BrokerServices, resourceName: string, keys: (name: string) => boolean, withSynonyms: boolean): Entry[] {
  return describeBrokerConfigs(config, brokerResource(node.nodeId, resourceName))
    .filter((c) => keys(c.name))
    .map((c) => ({
      name: c.name,
      value: c.value,
      readOnly: c.readOnly,
      configSource: c.source,
      isDefault: false, // v0 only
      isSensitive: c.sensitive,
      synonyms: withSynonyms ? c.synonyms : [],
      configType: brokerTypeIdOf(c.name),
      documentation: null,
    }));
}

export default defineHandler({
  api: DescribeConfigs,
  minVersion: 1,
  legacyMinVersion: 0,
  maxVersion: 4,
  handle(req, ctx): Response<typeof DescribeConfigs> {
    const results = req.resources.map((r): Result => {
      const wanted = r.configurationKeys && r.configurationKeys.length > 0 ? new Set(r.configurationKeys) : null;
      const keys = (name: string) => wanted === null || wanted.has(name);
      const base = { resourceType: r.resourceType, resourceName: r.resourceName, errorCode: ErrorCode.NONE as number, errorMessage: null };
      try {
        const refusal = configsAuthorizationError(ctx.services.authorizer, ctx, AclOperation.DESCRIBE_CONFIGS, r.resourceType, r.resourceName);
        if (refusal) throw refusal;
        switch (r.resourceType) {
          case ConfigResourceType.TOPIC:
            return { ...base, configs: topicEntries(ctx.services, r.resourceName, keys, req.includeSynonyms) };
          case ConfigResourceType.BROKER:
            return { ...base, configs: brokerEntries(ctx.services, r.resourceName, keys, req.includeSynonyms) };
          default:
            return { ...base, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Unsupported resource type: ${r.resourceType}`, configs: [] };
        }
      } catch (err) {
        if (!isKafkaError(err)) throw err;
        return { ...base, errorCode: err.errorCode, errorMessage: err.message, configs: [] };
      }
    });
    return { throttleTimeMs: 0, results };
  },
});
