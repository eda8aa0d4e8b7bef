/**
 * A ready vitest `globalSetup`: one broker for the whole test run, started before the first test
 * file and stopped after the last.
 *
 *   // tafka.global-setup.ts
 *   import { vitestGlobalSetup } from 'tafka';
 *   export default vitestGlobalSetup({ configs: { 'num.partitions': 3 } });
 *
 *   // vitest.config.ts: test: { globalSetup: ['./tafka.global-setup.ts'] }
 *   // in a test: inject('tafkaBootstrap'), or process.env.TAFKA_BOOTSTRAP
 *
 * Vitest hands globalSetup its project, whose `provide` passes values to `inject` in tests; the
 * context is typed structurally here so that the library does not depend on vitest.
 */
import { startBroker, type StartBrokerOptions } from '../embedded.js';

export interface GlobalSetupContext {
  provide?(key: string, value: unknown): void;
}

export interface VitestGlobalSetupOptions extends StartBrokerOptions {
  /** The environment variable that receives the bootstrap address (default TAFKA_BOOTSTRAP). */
  readonly env?: string;
}

export function vitestGlobalSetup(options: VitestGlobalSetupOptions = {}): (ctx?: GlobalSetupContext) => Promise<() => Promise<void>> {
  return async (ctx) => {
    const broker = await startBroker(options);
    // Test workers start after globalSetup returns, so they inherit this variable.
    process.env[options.env ?? 'TAFKA_BOOTSTRAP'] = broker.bootstrap;
    ctx?.provide?.('tafkaBootstrap', broker.bootstrap);
    return () => broker.stop();
  };
}
