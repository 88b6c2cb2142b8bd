import { defineConfig } from 'vitest/config';

// `npm run test:live`: the client against a real server at $HRMS_TEST_URL.
export default defineConfig({
  test: {
    include: ['src/**/*.live.test.ts'],
    testTimeout: 20_000,
  },
});
