import { fileURLToPath, URL } from 'node:url'
import { defineConfig } from 'vitest/config'
import vue from '@vitejs/plugin-vue'

const alias = { '@': fileURLToPath(new URL('./src', import.meta.url)) }

// Two environments: pure code and the server run in node; components, stores and Dexie code run in
// happy-dom. The browser suite (tests/e2e) has its own config and is started by scripts/test.ts.
export default defineConfig({
  resolve: { alias },
  define: {
    __APP_VERSION__: JSON.stringify('test'),
    __VUE_I18N_LEGACY_API__: false,
    __VUE_I18N_FULL_INSTALL__: true,
    __INTLIFY_PROD_DEVTOOLS__: false,
  },
  test: {
    projects: [
      {
        resolve: { alias },
        test: {
          name: 'node',
          environment: 'node',
          include: [
            'src/domain/**/*.test.ts',
            'src/shared/**/*.test.ts',
            'sync-server/**/*.test.ts',
            'tests/integration/**/*.test.ts',
            'scripts/**/*.test.ts',
          ],
          testTimeout: 20_000,
          hookTimeout: 30_000,
        },
      },
      {
        plugins: [vue()],
        resolve: { alias },
        define: {
          __APP_VERSION__: JSON.stringify('test'),
          __VUE_I18N_LEGACY_API__: false,
          __VUE_I18N_FULL_INSTALL__: true,
          __INTLIFY_PROD_DEVTOOLS__: false,
        },
        test: {
          name: 'dom',
          environment: 'happy-dom',
          include: ['src/**/*.test.ts'],
          exclude: ['src/domain/**', 'src/shared/**'],
          setupFiles: ['tests/fixtures/setup-dom.ts'],
        },
      },
    ],
  },
})
