/**
 * Tafka as a library: `import { startBroker } from 'tafka'` runs a real broker inside the calling
 * process, the way franz-go's kfake serves Go tests. Any Kafka client connects to `bootstrap`.
 *
 *   const kafka = await startBroker();            // in memory, a free port on 127.0.0.1
 *   // ... new Kafka({ brokers: [kafka.bootstrap] }) ...
 *   await kafka.stop();
 */
export { startBroker, type StartBrokerOptions, type RunningBroker } from './embedded.js';
export { vitestGlobalSetup, type GlobalSetupContext, type VitestGlobalSetupOptions } from './testing/vitest-global-setup.js';
export type { Logger } from 'pino';
