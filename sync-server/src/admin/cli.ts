import { systemClock } from '../clock'
import { loadConfig } from '../config'
import { describeStoreOpenError } from '../startup-errors'
import { openStore, type Store } from '../store'
import { EXIT, runAdminCommand } from './commands'

// Only the settings that locate the database: a server-only variable set wrong must not block the operator.
const loaded = loadConfig({ DATA_DIR: process.env.DATA_DIR, DATABASE_URL: process.env.DATABASE_URL })
if (!loaded.ok) {
  process.stderr.write(`carnet admin: ${loaded.message}\n`)
  process.exit(EXIT.usage)
}
const config = loaded.config

let store: Store | null = null
let code: number
try {
  code = await runAdminCommand(process.argv.slice(2), {
    config,
    clock: systemClock,
    store: async () => {
      try {
        store ??= await openStore(config, systemClock)
      } catch (error) {
        process.stderr.write(`${describeStoreOpenError(error, config)}\n`)
        process.exit(EXIT.refused)
      }
      return store
    },
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  })
} catch (error) {
  process.stderr.write(`carnet admin: failed (${error instanceof Error ? error.message : String(error)})\n`)
  code = EXIT.refused
}
await (store as Store | null)?.close()
process.exit(code)
