import { fileURLToPath, URL } from 'node:url'
import { defineConfig } from 'vite'

// The bench-only page: bundles the device code (src/db, src/sync) and exposes it on `window` for the
// 'device' section of `npm run bench`. Built into dist-bench/, never into the app's dist/.
export default defineConfig({
  root: fileURLToPath(new URL('./browser', import.meta.url)),
  publicDir: false,
  resolve: {
    alias: { '@': fileURLToPath(new URL('../src', import.meta.url)) },
  },
  build: {
    outDir: fileURLToPath(new URL('../dist-bench', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
  },
})
