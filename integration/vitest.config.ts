import { defineConfig } from 'vitest/config';

// The compatibility suite: real clients against a real broker process (see harness.ts).
export default defineConfig({
  test: {
    include: ['integration/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 90_000,
    // Each file starts its own broker; on a 2-core machine running them one at a time is faster and steadier.
    fileParallelism: false,
  },
});
