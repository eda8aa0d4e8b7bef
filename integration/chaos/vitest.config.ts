import { defineConfig } from 'vitest/config';

// `make chaos`: kill -9 cycles and a full disk against a real broker (see workload.ts). Not part of
// `make test`: it is bounded (CHAOS_CYCLES, default 20) but takes minutes.
export default defineConfig({
  test: {
    include: ['integration/chaos/**/*.chaos.ts'],
    testTimeout: 3_600_000,
    hookTimeout: 300_000,
    fileParallelism: false,
  },
});
