import { configDefaults, defineConfig } from 'vitest/config';

// Unit tests only: the live test needs a running server (see vitest.live.config.ts).
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    exclude: [...configDefaults.exclude, 'src/**/*.live.test.ts'],
  },
});
