import { defineConfig } from 'vitest/config'

// The browser suite: real Chromium, the built app served by the real server over HTTP.
// Files run one after another: each starts its own server and browser, and the machine has 2 cores.
export default defineConfig({
  test: {
    name: 'browser',
    environment: 'node',
    include: ['tests/e2e/**/*.spec.ts'],
    fileParallelism: false,
    testTimeout: 90_000,
    hookTimeout: 90_000,
  },
})
