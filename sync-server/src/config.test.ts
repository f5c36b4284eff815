import { describe, expect, it } from 'vitest'
import { loadConfig, redactUrl } from './config'

describe('loadConfig', () => {
  it('defaults to SQLite under ./data on 127.0.0.1:8787 with demo data', () => {
    expect(loadConfig({}, '/srv/carnet')).toEqual({
      ok: true,
      config: {
        port: 8787,
        host: '127.0.0.1',
        dataDir: '/srv/carnet/data',
        database: { kind: 'sqlite', file: '/srv/carnet/data/carnet.sqlite' },
        demo: true,
        demoPassword: null,
        logLevel: 'info',
        staticDir: '/srv/carnet/dist',
        loginRateLimit: 10,
        databaseTimeouts: { statementMs: 15_000, connectMs: 5_000 },
        shutdownTimeoutMs: 20_000,
      },
    })
  })

  it('reads every variable', () => {
    const loaded = loadConfig(
      {
        PORT: '9000',
        HOST: '0.0.0.0',
        DATA_DIR: '/var/lib/carnet',
        DATABASE_URL: 'postgres://carnet:secret@db:5432/carnet',
        CARNET_DEMO: '0',
        CARNET_DEMO_PASSWORD: 'demo',
        LOG_LEVEL: 'warn',
        STATIC_DIR: 'public-build',
        LOGIN_RATE_LIMIT: '600',
        DATABASE_STATEMENT_TIMEOUT_MS: '3000',
        DATABASE_CONNECT_TIMEOUT_MS: '1500',
        SHUTDOWN_TIMEOUT_MS: '45000',
      },
      '/srv/carnet',
    )
    expect(loaded).toMatchObject({
      ok: true,
      config: {
        port: 9000,
        host: '0.0.0.0',
        dataDir: '/var/lib/carnet',
        database: { kind: 'postgres', url: 'postgres://carnet:secret@db:5432/carnet' },
        demo: false,
        demoPassword: 'demo',
        logLevel: 'warn',
        staticDir: '/srv/carnet/public-build',
        loginRateLimit: 600,
        databaseTimeouts: { statementMs: 3000, connectMs: 1500 },
        shutdownTimeoutMs: 45_000,
      },
    })
  })

  it.each([
    [{ PORT: 'eighty' }, 'PORT must be a port number (0-65535)'],
    [{ PORT: '70000' }, 'PORT must be a port number (0-65535)'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL must be a postgres:// or postgresql:// URL'],
    [{ DATABASE_URL: 'not a url' }, 'DATABASE_URL must be a postgres:// or postgresql:// URL'],
    [{ CARNET_DEMO: 'yes' }, "CARNET_DEMO must be '0' or '1'"],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent'],
    [{ HOST: 'a b' }, 'HOST must be a host name or an IP address'],
    [
      { LOGIN_RATE_LIMIT: '0' },
      'LOGIN_RATE_LIMIT must be a whole number of sign-in attempts per minute (1-9999999)',
    ],
    [
      { LOGIN_RATE_LIMIT: 'lots' },
      'LOGIN_RATE_LIMIT must be a whole number of sign-in attempts per minute (1-9999999)',
    ],
    [
      { DATABASE_STATEMENT_TIMEOUT_MS: '15s' },
      'DATABASE_STATEMENT_TIMEOUT_MS must be a whole number of milliseconds (100-9999999)',
    ],
    [
      { SHUTDOWN_TIMEOUT_MS: '50' },
      'SHUTDOWN_TIMEOUT_MS must be a whole number of milliseconds (100-9999999)',
    ],
  ])('refuses %o with one line', (env, message) => {
    expect(loadConfig(env)).toEqual({ ok: false, message })
  })

  it('treats empty variables as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: ' ' })).toMatchObject({ ok: true, config: { port: 8787 } })
  })

  it('masks the password of a database URL', () => {
    expect(redactUrl('postgres://carnet:secret@db:5432/carnet')).toBe('postgres://carnet:***@db:5432/carnet')
    expect(redactUrl('postgres://carnet@db/carnet')).toBe('postgres://carnet@db/carnet')
  })
})
