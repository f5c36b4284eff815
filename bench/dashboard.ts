// The sync administration dashboard at scale: 500 devices, 10,000 rejections, 1,000,000 audit events and 200,000 dose
// steps over 90 days written straight into the store (bulk, not through the API; the doses through `writePush`, as a
// push writes them with their activity rows), then each dashboard list's first page, a filtered page and the activity
// page (30 and 366 days) timed over HTTP on loopback against the real app (buildApp, listen on port 0, in this
// process), as admin.demo (and gestionnaire.demo for its pages).
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { pino } from 'pino'
import { addDays } from '../src/domain/time/calendar'
import type { DoseFields } from '../src/shared/commands'
import type { StepRecord } from '../src/shared/records'
import { buildApp } from '../sync-server/src/app'
import { issueToken } from '../sync-server/src/auth/tokens'
import { systemClock } from '../sync-server/src/clock'
import { seedDemo } from '../sync-server/src/demo'
import type { Store } from '../sync-server/src/store'
import type { AuditWrite, RejectionWrite, StepWrite } from '../sync-server/src/store/sync-queries'
import { openPostgresStore } from '../sync-server/src/store/postgres'
import { openSqliteStore } from '../sync-server/src/store/sqlite'
import { httpJson } from './lib/http'
import { summarize, type Summary } from './lib/stats'
import { isPostgresReachable, postgresUrl } from './push'

const PASSWORD = 'bench-dashboard-password'
const DEVICES = 500
const REJECTIONS = 10_000
const AUDIT_EVENTS = 1_000_000
const STAFF = 40
const PATIENTS = 50_000
const SAMPLES = 20
const WARM_UP = 2
const DAY = 24 * 60 * 60_000
const AUDIT_ACTIONS = ['read', 'search', 'step.record', 'patient.update', 'print', 'export'] as const
const DOSES = 200_000
const DOSE_DAYS = 90
const DOSES_PER_PUSH = 2_000
const PLACES = [
  { type: 'ehpad', postalCode: '01000', name: 'EHPAD Les Tilleuls' },
  { type: 'ehpad', postalCode: '01090', name: 'EHPAD Le Clos Fleuri' },
  { type: 'centre-de-vaccination', postalCode: '01000', name: 'Centre de vaccination de Bourg' },
  { type: 'domicile', postalCode: '01250', name: 'Tournée Revermont' },
  { type: 'cabinet', postalCode: '01100', name: 'Cabinet infirmier du Marché' },
] as const
const VACCINES = [
  { id: 'comirnaty', targetDisease: 'covid-19', lot: 'FK1234' },
  { id: 'spikevax', targetDisease: 'covid-19', lot: 'SV0042' },
  { id: 'efluelda', targetDisease: 'influenza', lot: 'EF2025' },
  { id: 'vaxigrip', targetDisease: 'influenza', lot: 'VX7731' },
] as const

/** One timed request of the dashboard: what it asks and its latency over the samples. */
export type DashboardTiming = {
  readonly label: string
  readonly path: string
  readonly summary: Summary
  /** Rows of the answered page; null for an answer that is not a list. */
  readonly items: number | null
}

export type DashboardFigures = {
  readonly store: 'sqlite' | 'postgres'
  readonly detail: string
  readonly seedSeconds: number
  readonly timings: readonly DashboardTiming[]
}

const iso = (ms: number) => new Date(ms).toISOString()
const pick = <T>(list: readonly T[], i: number): T => list[i % list.length] as T

/** Writes the volume straight into the store: staff, devices, rejections, audit events, dose steps. */
async function seedVolume(store: Store, now: number): Promise<{ staff: string[]; patients: string[] }> {
  const [org] = (await store.listOrganisations()).filter((o) => o.finess === '010000016')
  if (org === undefined) throw new Error('no demo organisation')
  const staff = await store.withTransaction(async (tx) => {
    const ids: string[] = []
    for (let i = 0; i < STAFF; i += 1) {
      const user = await tx.createUser({
        organisationId: org.id,
        login: `soignant.${i}`,
        displayName: `Soignant ${String(i).padStart(2, '0')}`,
        profession: i % 2 === 0 ? 'infirmier' : 'medecin',
        passwordHash: null,
      })
      if (!user.ok) throw new Error(user.error)
      ids.push(user.value.id)
    }
    return ids
  })
  const patients = Array.from({ length: PATIENTS }, (_, i) => `p-${String(i).padStart(6, '0')}`)

  const perDevice = REJECTIONS / DEVICES
  for (let d = 0; d < DEVICES; d += 1) {
    const userId = pick(staff, d)
    await store.withTransaction(async (tx) => {
      const device = await tx.registerDevice({
        id: `bench-device-${String(d).padStart(4, '0')}`,
        organisationId: org.id,
        userId,
        name: `Tablette ${d}`,
        tokenHash: issueToken().hash,
        appVersion: '1.4.0',
      })
      if (!device.ok) throw new Error(device.error)
      await tx.recordDeviceState(device.value.id, {
        seenAt: iso(now - (d % 96) * 15 * 60_000),
        pending: d % 7,
        storageUsed: 10_000_000 + d * 1000,
        storageQuota: 2_000_000_000,
        persisted: d % 5 !== 0,
      })
      const rejections: RejectionWrite[] = Array.from({ length: perDevice }, (_, k) => {
        const seq = k + 1
        const id = `bench-rej-${d}-${seq}`
        const at = now - (d * perDevice + k) * 60_000
        return {
          mutationId: id,
          deviceId: device.value.id,
          userId,
          seq,
          mutation: {
            v: 1,
            id,
            deviceId: device.value.id,
            seq,
            at: iso(at),
            actor: { userId },
            type: 'step.amend',
            payload: {
              stepId: `s-${d}-${k}`,
              patientId: pick(patients, d * perDevice + k),
              kind: 'dose',
              baseVersion: 1,
              changes: {},
            },
            sig: 'bench',
          },
          error: k % 2 === 0 ? 'step-locked-by-author' : 'step-locked-by-next-step',
          detail: { stepId: `s-${d}-${k}` },
          rejectedAt: iso(at + 30_000),
        }
      })
      const last = await tx.lockPositions(org.id)
      await tx.writePush({
        organisationId: org.id,
        deviceId: device.value.id,
        lastSeq: perDevice,
        lastPosition: last,
        receivedAt: iso(now),
        patients: [],
        steps: [],
        adverseEvents: [],
        lots: [],
        aliases: [],
        changes: [],
        results: [],
        rejections,
        audit: [],
      })
    })
  }

  // Hashes are placeholders: the bench reads the trail, it does not verify the chain.
  const link = await store.lastAuditLink(org.id)
  let position = link?.chainPosition ?? 0
  const hash = 'b'.repeat(64)
  const CHUNK = 20_000
  for (let from = 0; from < AUDIT_EVENTS; from += CHUNK) {
    const rows: AuditWrite[] = []
    for (let i = from; i < Math.min(AUDIT_EVENTS, from + CHUNK); i += 1) {
      position += 1
      // Oldest first, one event every ~15 s back over six months.
      const at = now - (AUDIT_EVENTS - i) * 15_000
      rows.push({
        chainPosition: position,
        id: `bench-audit-${i}`,
        mutationId: null,
        userId: pick(staff, i),
        onBehalfOf: null,
        action: pick(AUDIT_ACTIONS, i),
        entity: 'patient',
        entityId: pick(patients, i * 7),
        patientId: pick(patients, i * 7),
        fields: i % 3 === 0 ? ['firstNames'] : null,
        deviceId: `bench-device-${String(i % DEVICES).padStart(4, '0')}`,
        deviceTime: iso(at - 5_000),
        serverTime: iso(at),
        outcome: 'done',
        reason: null,
        prevHash: hash,
        hash,
      })
    }
    await store.withTransaction(async (tx) => {
      await tx.lockPositions(org.id)
      await tx.insertAudit(org.id, rows)
    })
  }
  await seedDoses(store, org.id, staff, now)
  return { staff, patients }
}

/** Local time of action as a device in France writes it (+01:00 in winter). */
const deviceTime = (ms: number) => `${new Date(ms + 60 * 60_000).toISOString().slice(0, 19)}+01:00`

/**
 * Writes the dose steps through `writePush`, as a push does (steps and their activity rows in one transaction):
 * spread evenly over the last DOSE_DAYS days, most received within the hour, one in ten a day or two later
 * (a device that synced late), one in twenty amended (its place changed) by a second version.
 */
async function seedDoses(store: Store, organisationId: string, staff: readonly string[], now: number) {
  const span = DOSE_DAYS * DAY
  for (let from = 0; from < DOSES; from += DOSES_PER_PUSH) {
    const steps: StepWrite[] = []
    for (let i = from; i < Math.min(DOSES, from + DOSES_PER_PUSH); i += 1) {
      const given = now - span + Math.floor((i * span) / DOSES)
      const received = Math.min(now, given + (i % 10 === 0 ? (1 + (i % 2)) * DAY : 20 * 60_000))
      const at = deviceTime(given)
      const recordedAt = iso(received)
      const vaccine = pick(VACCINES, i)
      const userId = pick(staff, i)
      const deviceId = `bench-device-${String(i % DEVICES).padStart(4, '0')}`
      const fields: DoseFields = {
        vaccineId: vaccine.id,
        lotNumber: vaccine.lot,
        injectionSite: i % 2 === 0 ? 'deltoid-left' : 'deltoid-right',
        route: 'intramuscular',
        injectedAt: at,
        vaccinatorUserId: userId,
        place: pick(PLACES, Math.floor(i / 7)),
      }
      const first = {
        version: 1,
        at,
        recordedAt,
        actor: { userId },
        deviceId,
        mutationId: `bench-m-${i}`,
        fields,
      }
      const versions =
        i % 20 === 0
          ? [
              first,
              {
                ...first,
                version: 2,
                mutationId: `bench-m-${i}-2`,
                fields: { ...fields, place: pick(PLACES, i + 1) },
              },
            ]
          : [first]
      const step: StepRecord = {
        id: `bench-dose-${i}`,
        patientId: `p-${String(i % PATIENTS).padStart(6, '0')}`,
        kind: 'dose',
        targetDisease: vaccine.targetDisease,
        doseNumber: 1 + Math.floor(i / PATIENTS),
        isBooster: false,
        author: { userId },
        at,
        recordedAt,
        versions,
      }
      steps.push({
        id: step.id,
        patientId: step.patientId,
        kind: 'dose',
        version: versions.length,
        data: step,
        updatedAt: recordedAt,
      })
    }
    await store.withTransaction(async (tx) => {
      const last = await tx.lockPositions(organisationId)
      await tx.writePush({
        organisationId,
        deviceId: 'bench-device-0000',
        lastSeq: REJECTIONS / DEVICES,
        lastPosition: last,
        receivedAt: iso(now),
        patients: [],
        steps,
        adverseEvents: [],
        lots: [],
        aliases: [],
        changes: [],
        results: [],
        rejections: [],
        audit: [],
      })
    })
  }
}

async function timeRequest(
  baseUrl: string,
  token: string,
  label: string,
  path: string,
): Promise<DashboardTiming> {
  const samples: number[] = []
  let items: number | null = null
  for (let i = 0; i < WARM_UP + SAMPLES; i += 1) {
    const answer = await httpJson(`${baseUrl}${path}`, {
      headers: { authorization: `Bearer ${token}` },
      timeoutMs: 60_000,
    })
    if (answer.status !== 200) throw new Error(`${path}: ${answer.status} ${answer.text.slice(0, 200)}`)
    if (i >= WARM_UP) samples.push(answer.ms)
    const list = (JSON.parse(answer.text) as { items?: unknown }).items
    items = Array.isArray(list) ? list.length : null
  }
  return { label, path, summary: summarize(samples), items }
}

async function measureOn(store: Store): Promise<{ seedSeconds: number; timings: DashboardTiming[] }> {
  await store.migrate()
  await seedDemo(store, { password: PASSWORD })
  const now = Date.now()
  const seedStarted = performance.now()
  const { staff, patients } = await seedVolume(store, now)
  const seedSeconds = (performance.now() - seedStarted) / 1000
  const app = await buildApp({
    store,
    clock: systemClock,
    logger: pino({ level: 'silent' }),
    staticDir: null,
    version: 'bench',
  })
  try {
    await app.listen({ port: 0, host: '127.0.0.1' })
    const address = app.server.address()
    if (address === null || typeof address === 'string') throw new Error('no port')
    const baseUrl = `http://127.0.0.1:${address.port}`
    const signIn = async (login: string, deviceId: string) => {
      const answer = await httpJson(`${baseUrl}/api/auth/login`, {
        body: { login, password: PASSWORD, deviceId },
      })
      if (answer.status !== 200) throw new Error(`login: ${answer.status} ${answer.text.slice(0, 200)}`)
      return (JSON.parse(answer.text) as { accessToken: string }).accessToken
    }
    const token = await signIn('admin.demo', '0195a3b2-7c00-7000-8000-00000000d45b')
    const managerToken = await signIn('gestionnaire.demo', '0195a3b2-7c00-7000-8000-00000000d45c')
    const first = await httpJson(`${baseUrl}/api/admin/audit?limit=50`, {
      headers: { authorization: `Bearer ${token}` },
    })
    const cursor = (JSON.parse(first.text) as { nextCursor: string }).nextCursor
    const week = encodeURIComponent(iso(now - 7 * DAY))
    const month = encodeURIComponent(iso(now - 30 * DAY))
    const user = pick(staff, 3)
    const today = iso(now).slice(0, 10)
    const requests: [string, string][] = [
      ['devices, first page', '/api/admin/devices'],
      ['devices, active + search', '/api/admin/devices?status=active&q=tablette%2042'],
      ['rejections, first page', '/api/admin/rejections'],
      ['rejections, open + search by author', '/api/admin/rejections?status=open&q=soignant%2007'],
      ['audit, first page', '/api/admin/audit'],
      ['audit, next page (cursor)', `/api/admin/audit?cursor=${cursor}`],
      ['audit, one person over 30 days', `/api/admin/audit?userId=${user}&from=${month}`],
      ['audit, one patient', `/api/admin/audit?patientId=${pick(patients, 4242)}`],
      ['audit, one action over 7 days', `/api/admin/audit?action=print&from=${week}`],
      ['activity, last 30 days (default range)', '/api/admin/activity'],
      ['activity, 366 days', `/api/admin/activity?from=${addDays(today, -365)}&to=${today}`],
    ]
    // Users and access requests are the access manager's pages.
    const managerRequests: [string, string][] = [
      ['users, first page (gestionnaire.demo)', '/api/admin/users'],
      ['users, search (gestionnaire.demo)', '/api/admin/users?q=soignant%201'],
      ['access requests, pending (gestionnaire.demo)', '/api/admin/access-requests'],
    ]
    const timings: DashboardTiming[] = []
    for (const [label, path] of requests) timings.push(await timeRequest(baseUrl, token, label, path))
    for (const [label, path] of managerRequests) {
      timings.push(await timeRequest(baseUrl, managerToken, label, path))
    }
    return { seedSeconds, timings }
  } finally {
    await app.close()
    await store.close()
  }
}

async function dashboardSqlite(): Promise<DashboardFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'carnet-bench-dashboard-'))
  try {
    const figures = await measureOn(openSqliteStore({ file: join(dir, 'carnet.sqlite'), clock: systemClock }))
    return { store: 'sqlite', detail: `better-sqlite3 WAL, file in ${tmpdir()}`, ...figures }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

async function dashboardPostgres(url: string): Promise<DashboardFigures> {
  const admin = new pg.Client({ connectionString: url })
  await admin.connect()
  const schema = `carnet_bench_${randomBytes(6).toString('hex')}`
  await admin.query(`CREATE SCHEMA ${schema}`)
  try {
    const figures = await measureOn(openPostgresStore({ url, clock: systemClock, schema }))
    const version = (await admin.query<{ server_version: string }>('SHOW server_version')).rows[0]
    return {
      store: 'postgres',
      detail: `PostgreSQL ${version?.server_version ?? '?'} on loopback, fresh schema`,
      ...figures,
    }
  } finally {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
    await admin.end()
  }
}

/** The dashboard's figures on SQLite, and on PostgreSQL when it answers (BENCH_DATABASE_URL, DATABASE_URL, local). */
export async function measureDashboard(
  _root: string,
): Promise<{ figures: DashboardFigures[]; skipped: string | null }> {
  const figures = [await dashboardSqlite()]
  const url = postgresUrl()
  if (!(await isPostgresReachable(url))) return { figures, skipped: url.replace(/:[^:@/]*@/, ':***@') }
  figures.push(await dashboardPostgres(url))
  return { figures, skipped: null }
}

/** The volume the figures are measured on, for the printed line. */
export const DASHBOARD_VOLUME = {
  devices: DEVICES,
  rejections: REJECTIONS,
  auditEvents: AUDIT_EVENTS,
  doseSteps: DOSES,
  doseDays: DOSE_DAYS,
  samples: SAMPLES,
}
