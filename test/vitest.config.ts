import { defineConfig } from 'vitest/config';

// Unit tests: no network beyond loopback-free code, no broker process (see integration/ for those).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
  },
});
