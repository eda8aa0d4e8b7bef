// jest: plain ES modules, no transform (Tafka ships compiled JavaScript with .d.ts types).
export default {
  testEnvironment: 'node',
  transform: {},
  testMatch: ['**/*.test.mjs'],
};
