import { join } from 'node:path'
import { ensureBuild } from './lib/build'

// `npm start`: build the PWA when its sources are newer than dist/, then run the sync server,
// which serves dist/ and the API.
const root = join(import.meta.dirname, '..')

if (!ensureBuild(root)) {
  process.stderr.write('carnet: the app build failed (see above)\n')
  process.exit(1)
}

process.chdir(root)
await import('../sync-server/src/main')
