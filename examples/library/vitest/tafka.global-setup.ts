// vitest globalSetup: an in-memory Tafka broker; tests read its address with inject('tafkaBootstrap')
// or process.env.TAFKA_BOOTSTRAP.
import { vitestGlobalSetup } from 'tafka';

export default vitestGlobalSetup({ configs: { 'num.partitions': 3 } });

declare module 'vitest' {
  export interface ProvidedContext {
    tafkaBootstrap: string;
  }
}
