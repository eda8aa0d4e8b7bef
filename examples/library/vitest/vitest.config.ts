// One Tafka broker for the whole run, started before the first test file and stopped after the last.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['*.test.ts'],
    globalSetup: ['./tafka.global-setup.ts'],
  },
});
