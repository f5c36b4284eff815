import { resolve, join } from 'node:path'
import { z } from 'zod'

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'

export type DatabaseConfig =
  { readonly kind: 'sqlite'; readonly file: string } | { readonly kind: 'postgres'; readonly url: string }

export type Config = {
  readonly port: number
  readonly host: string
  readonly dataDir: string
  readonly database: DatabaseConfig
  readonly demo: boolean
  readonly demoPassword: string | null
  readonly logLevel: LogLevel
  readonly staticDir: string
  /** Sign-in attempts allowed per minute, per client address and per login (`LOGIN_RATE_LIMIT`). */
  readonly loginRateLimit: number
  /** PostgreSQL time limits (`DATABASE_STATEMENT_TIMEOUT_MS`, `DATABASE_CONNECT_TIMEOUT_MS`). */
  readonly databaseTimeouts: DatabaseTimeouts
  /** How long a graceful shutdown may take before the process exits anyway (`SHUTDOWN_TIMEOUT_MS`). */
  readonly shutdownTimeoutMs: number
}

export type DatabaseTimeouts = { readonly statementMs: number; readonly connectMs: number }

export type ConfigOutcome = { ok: true; config: Config } | { ok: false; message: string }

const blankAsUndefined = (value: unknown) =>
  typeof value === 'string' && value.trim() === '' ? undefined : value

const EnvSchema = z.object({
  PORT: z.preprocess(
    blankAsUndefined,
    z
      .string()
      .regex(/^\d{1,5}$/, 'must be a port number (0-65535)')
      .transform(Number)
      .refine((port) => port <= 65535, 'must be a port number (0-65535)')
      .default(8787),
  ),
  HOST: z.preprocess(
    blankAsUndefined,
    z
      .string()
      .regex(/^[A-Za-z0-9.:[\]-]+$/, 'must be a host name or an IP address')
      .default('127.0.0.1'),
  ),
  DATA_DIR: z.preprocess(blankAsUndefined, z.string().default('./data')),
  DATABASE_URL: z.preprocess(
    blankAsUndefined,
    z.string().refine(isPostgresUrl, 'must be a postgres:// or postgresql:// URL').optional(),
  ),
  CARNET_DEMO: z.preprocess(
    blankAsUndefined,
    z.enum(['0', '1'], { error: "must be '0' or '1'" }).default('1'),
  ),
  CARNET_DEMO_PASSWORD: z.preprocess(
    blankAsUndefined,
    z.string().min(4, 'must have at least 4 characters').optional(),
  ),
  LOG_LEVEL: z.preprocess(
    blankAsUndefined,
    z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
        error: 'must be one of fatal, error, warn, info, debug, trace, silent',
      })
      .default('info'),
  ),
  STATIC_DIR: z.preprocess(blankAsUndefined, z.string().default('./dist')),
  LOGIN_RATE_LIMIT: z.preprocess(
    blankAsUndefined,
    z
      .string()
      .regex(/^[1-9]\d{0,6}$/, 'must be a whole number of sign-in attempts per minute (1-9999999)')
      .transform(Number)
      .default(10),
  ),
  // Operations: time limits, so a silent database or a stuck request cannot hold the server.
  DATABASE_STATEMENT_TIMEOUT_MS: milliseconds(15_000),
  DATABASE_CONNECT_TIMEOUT_MS: milliseconds(5_000),
  SHUTDOWN_TIMEOUT_MS: milliseconds(20_000),
})

function milliseconds(fallback: number) {
  return z.preprocess(
    blankAsUndefined,
    z
      .string()
      .regex(/^[1-9]\d{2,6}$/, 'must be a whole number of milliseconds (100-9999999)')
      .transform(Number)
      .default(fallback),
  )
}

function isPostgresUrl(value: string): boolean {
  try {
    const url = new URL(value)
    return (url.protocol === 'postgres:' || url.protocol === 'postgresql:') && url.hostname !== ''
  } catch {
    return false
  }
}

/** Reads the server's settings from the environment; the failure message is one line naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv, cwd: string = process.cwd()): ConfigOutcome {
  const parsed = EnvSchema.safeParse(env)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const name = String(issue?.path[0] ?? 'environment')
    return { ok: false, message: `${name} ${issue?.message ?? 'is invalid'}` }
  }
  const e = parsed.data
  const dataDir = resolve(cwd, e.DATA_DIR)
  return {
    ok: true,
    config: {
      port: e.PORT,
      host: e.HOST,
      dataDir,
      database:
        e.DATABASE_URL === undefined
          ? { kind: 'sqlite', file: join(dataDir, 'carnet.sqlite') }
          : { kind: 'postgres', url: e.DATABASE_URL },
      demo: e.CARNET_DEMO !== '0',
      demoPassword: e.CARNET_DEMO_PASSWORD ?? null,
      logLevel: e.LOG_LEVEL,
      staticDir: resolve(cwd, e.STATIC_DIR),
      loginRateLimit: e.LOGIN_RATE_LIMIT,
      databaseTimeouts: {
        statementMs: e.DATABASE_STATEMENT_TIMEOUT_MS,
        connectMs: e.DATABASE_CONNECT_TIMEOUT_MS,
      },
      shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    },
  }
}

/** The database URL with its password masked, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url)
    if (parsed.password !== '') parsed.password = '***'
    return parsed.toString()
  } catch {
    return '(invalid URL)'
  }
}
