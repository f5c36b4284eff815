import { z } from 'zod'
import { PULL_ENTITIES, type PullEntity } from '../../../src/shared/sync-api'
import type { Clock } from '../clock'
import type { Executor, SqlValue } from './queries'

// The sync tables' reads and writes (schema v3, sync-schema.ts). Records travel as JSON text: the rules
// layer parses what it reads with the src/shared schemas. Writes are multi-row statements so that a push
// of 500 mutations costs a few dozen round trips on PostgreSQL, not thousands.

/** A change-log entry about to be written: its position is assigned by the caller holding the counter lock. */
export type NewChange = {
  readonly position: number
  readonly entity: PullEntity
  readonly entityId: string
  readonly version: number | null
  readonly data: unknown
}

export type ChangeRow = {
  readonly position: number
  readonly entity: string
  readonly entityId: string
  readonly version: number | null
  readonly data: string
}

export type StoredResult = { readonly seq: number; readonly mutationId: string; readonly result: string }

export type PatientRow = { readonly id: string; readonly data: string }
export type OwnedRow = { readonly id: string; readonly patientId: string; readonly data: string }

export type PatientWrite = {
  readonly id: string
  readonly version: number
  readonly codeDeCiblage: string
  readonly nirKey: string | null
  readonly nissKey: string | null
  readonly beneficiaryKey: string | null
  readonly data: unknown
  readonly createdAt: string
  readonly updatedAt: string
}
export type StepWrite = {
  readonly id: string
  readonly patientId: string
  readonly kind: string
  readonly version: number
  readonly data: unknown
  readonly updatedAt: string
}
export type AdverseEventWrite = {
  readonly id: string
  readonly patientId: string
  readonly stepId: string
  readonly data: unknown
  readonly recordedAt: string
}
export type LotWrite = {
  readonly vaccineId: string
  readonly lotNumber: string
  readonly expiry: string | null
  readonly data: unknown
  readonly updatedAt: string
}
export type AliasWrite = { readonly aliasId: string; readonly patientId: string; readonly mutationId: string }
export type ResultWrite = {
  readonly seq: number
  readonly mutationId: string
  readonly status: 'applied' | 'rejected'
  readonly result: unknown
}
export type RejectionWrite = {
  readonly mutationId: string
  readonly deviceId: string
  readonly userId: string
  readonly seq: number
  readonly mutation: unknown
  readonly error: string
  readonly detail: unknown
  readonly rejectedAt: string
}
export type AuditWrite = {
  readonly chainPosition: number
  readonly id: string
  readonly mutationId: string | null
  readonly userId: string
  readonly onBehalfOf: string | null
  readonly action: string
  readonly entity: string
  readonly entityId: string | null
  readonly patientId: string | null
  readonly fields: readonly string[] | null
  readonly deviceId: string | null
  readonly deviceTime: string | null
  readonly serverTime: string
  readonly outcome: 'done' | 'refused'
  readonly reason: string | null
  readonly prevHash: string
  readonly hash: string
}

/** Everything one push transaction writes, flushed at once. */
export type PushWrites = {
  readonly organisationId: string
  readonly deviceId: string
  readonly lastSeq: number
  readonly lastPosition: number
  readonly receivedAt: string
  readonly patients: readonly PatientWrite[]
  readonly steps: readonly StepWrite[]
  readonly adverseEvents: readonly AdverseEventWrite[]
  readonly lots: readonly LotWrite[]
  readonly aliases: readonly AliasWrite[]
  readonly changes: readonly NewChange[]
  readonly results: readonly ResultWrite[]
  readonly rejections: readonly RejectionWrite[]
  readonly audit: readonly AuditWrite[]
}

/** A pull page whose changes are already serialised. */
export type PullPageJson = {
  readonly lastSeq: number
  /** A JSON array of `PullChange` (src/shared/sync-api.ts), as UTF-8 bytes or text. */
  readonly changes: Buffer | string
  /** The position of the page's last row, or null when the page is empty. */
  readonly lastPosition: number | null
  readonly hasMore: boolean
}

export type RejectionRow = {
  readonly mutationId: string
  readonly organisationId: string
  readonly deviceId: string
  readonly userId: string
  readonly mutation: string
  readonly error: string
  readonly detail: string | null
  readonly rejectedAt: string
  readonly resolution: string | null
  readonly resolvedBy: string | null
  readonly resolvedAt: string | null
  readonly note: string | null
}

export type RoleGrantRow = {
  readonly id: string
  readonly userId: string
  readonly role: string
  readonly actsForUserId: string | null
  readonly startsAt: string
  readonly endsAt: string | null
  readonly revokedAt: string | null
}

export type SyncQueries = {
  /**
   * Locks the organisation's position counter until the transaction ends and answers its last position.
   * Call it first in a writing transaction: it also serialises the organisation's writers on PostgreSQL.
   */
  lockPositions(organisationId: string): Promise<number>
  setLastPosition(organisationId: string, position: number): Promise<void>
  /** Locks, numbers and writes changes (users, role grants, resolutions…); answers their positions. */
  appendChanges(
    organisationId: string,
    changes: readonly Omit<NewChange, 'position'>[],
  ): Promise<readonly number[]>
  deviceLastSeq(deviceId: string): Promise<number | null>
  storedResults(deviceId: string, seqs: readonly number[]): Promise<StoredResult[]>
  /** Where each of these mutation ids already has a result (any device). */
  usedMutationIds(ids: readonly string[]): Promise<{ mutationId: string; deviceId: string; seq: number }[]>
  aliases(organisationId: string, ids: readonly string[]): Promise<{ aliasId: string; patientId: string }[]>
  patientsByIdsOrKeys(
    organisationId: string,
    ids: readonly string[],
    keys: { nir: readonly string[]; niss: readonly string[]; beneficiary: readonly string[] },
  ): Promise<PatientRow[]>
  stepsOf(organisationId: string, patientIds: readonly string[]): Promise<OwnedRow[]>
  adverseEventsOf(organisationId: string, patientIds: readonly string[]): Promise<OwnedRow[]>
  stepOwners(organisationId: string, stepIds: readonly string[]): Promise<{ id: string; patientId: string }[]>
  adverseEventOwners(
    organisationId: string,
    ids: readonly string[],
  ): Promise<{ id: string; patientId: string }[]>
  organisationGrants(organisationId: string): Promise<RoleGrantRow[]>
  /** When each user first signed in on the device (their device key's creation). */
  signInTimes(deviceId: string, userIds: readonly string[]): Promise<{ userId: string; at: string }[]>
  lastAuditLink(organisationId: string): Promise<{ chainPosition: number; hash: string } | null>
  insertAudit(organisationId: string, rows: readonly AuditWrite[]): Promise<void>
  writePush(writes: PushWrites): Promise<void>
  /**
   * A pull page as JSON text, ready to send: one statement, so the page, `hasMore` and the device's lastSeq
   * come from one snapshot in either dialect. Changes of entities this server does not serve are left out of
   * `changes` but still move `lastPosition`.
   */
  pullPageJson(organisationId: string, deviceId: string, after: number, limit: number): Promise<PullPageJson>
  /** One statement, so the page and the device's lastSeq come from one snapshot in either dialect. */
  pullPage(
    organisationId: string,
    deviceId: string,
    after: number,
    limit: number,
  ): Promise<{ lastSeq: number; changes: ChangeRow[] }>
  getRejection(organisationId: string, mutationId: string): Promise<RejectionRow | null>
  /** False when it was resolved meanwhile. */
  resolveRejection(
    mutationId: string,
    resolution: { kind: string; note: string | null; by: string; at: string },
  ): Promise<boolean>
}

// PostgreSQL answers bigint as text and timestamptz as Date; SQLite answers numbers and text.
const integer = z.union([z.number(), z.string(), z.bigint()]).transform(Number)
const text = z.string()
const time = z.union([z.string(), z.date()]).transform((v) => new Date(v).toISOString())

/**
 * A change-log row read back for a pull. The server wrote every one of these rows itself, so they are checked
 * field by field with plain type tests rather than a zod schema: a pull reads up to 5,000 of them, and a
 * per-row schema parse was the largest single cost of serving pulls.
 */
function changeRowOf(row: Record<string, unknown>): ChangeRow {
  const { position, entity, entity_id: entityId, version, data } = row
  if (typeof entity !== 'string' || typeof entityId !== 'string' || typeof data !== 'string') {
    throw new TypeError('changes: unexpected row shape')
  }
  return {
    position: toInteger(position),
    entity,
    entityId,
    version: version === null ? null : toInteger(version),
    data,
  }
}

/** An integer column: a number on SQLite, text (bigint) or a number on PostgreSQL. */
function toInteger(value: unknown): number {
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string' || typeof value === 'bigint'
        ? Number(value)
        : NaN
  if (!Number.isSafeInteger(n)) throw new TypeError(`unexpected integer column: ${String(value)}`)
  return n
}

const RejectionRowSchema = z
  .object({
    mutation_id: text,
    organisation_id: text,
    device_id: text,
    user_id: text,
    mutation: text,
    error: text,
    detail: text.nullable(),
    rejected_at: time,
    resolution: text.nullable(),
    resolved_by: text.nullable(),
    resolved_at: time.nullable(),
    note: text.nullable(),
  })
  .transform((r): RejectionRow => ({
    mutationId: r.mutation_id,
    organisationId: r.organisation_id,
    deviceId: r.device_id,
    userId: r.user_id,
    mutation: r.mutation,
    error: r.error,
    detail: r.detail,
    rejectedAt: r.rejected_at,
    resolution: r.resolution,
    resolvedBy: r.resolved_by,
    resolvedAt: r.resolved_at,
    note: r.note,
  }))

const RoleGrantRowSchema = z
  .object({
    id: text,
    user_id: text,
    role: text,
    acts_for_user_id: text.nullable(),
    starts_at: time,
    ends_at: time.nullable(),
    revoked_at: time.nullable(),
  })
  .transform((r): RoleGrantRow => ({
    id: r.id,
    userId: r.user_id,
    role: r.role,
    actsForUserId: r.acts_for_user_id,
    startsAt: r.starts_at,
    endsAt: r.ends_at,
    revokedAt: r.revoked_at,
  }))

// Row shapes, built once: a zod v4 object schema compiles its parser on first use, so building one per row
// (or per call) costs far more than the parse itself.
const LastPositionRow = z.object({ last_position: integer })
const LastSeqRow = z.object({ last_seq: integer })
const StoredResultRow = z.object({ seq: integer, mutation_id: text, result: text })
const UsedIdRow = z.object({ mutation_id: text, device_id: text, seq: integer })
const AliasRow = z.object({ alias_id: text, patient_id: text })
const PatientDataRow = z.object({ id: text, data: text })
const OwnedDataRow = z.object({ id: text, patient_id: text, data: text })
const OwnerRow = z.object({ id: text, patient_id: text })
const SignInRow = z.object({ user_id: text, created_at: time })
const AuditLinkRow = z.object({ chain_position: integer, hash: text })

// What the activity page counts of a dose step (activity-schema.ts): only these fields of the record are read.
const DoseActivitySource = z.object({
  at: text,
  recordedAt: text,
  versions: z
    .array(
      z.object({
        fields: z.object({
          vaccineId: text.optional(),
          place: z.object({ name: text.optional() }).optional(),
        }),
      }),
    )
    .min(1),
})

/** A dose step's activity row: the local day of its time of action, its UTC receipt day, current place and vaccine. */
function doseActivityOf(data: unknown): {
  day: string
  receivedDay: string
  place: string | null
  vaccineId: string | null
} {
  const step = DoseActivitySource.parse(data)
  const current = step.versions[step.versions.length - 1]?.fields
  return {
    day: step.at.slice(0, 10),
    receivedDay: new Date(step.recordedAt).toISOString().slice(0, 10),
    place: current?.place?.name ?? null,
    vaccineId: current?.vaccineId ?? null,
  }
}

// Both dialects accept far more; this keeps each statement's text (and SQLite's prepared form) modest.
const MAX_PARAMS = 4000

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

const marks = (n: number) => Array.from({ length: n }, () => '?').join(', ')
const json = (value: unknown) => JSON.stringify(value)

async function insertMany(
  db: Executor,
  head: string,
  columns: number,
  rows: readonly (readonly SqlValue[])[],
  tail = '',
): Promise<number> {
  let written = 0
  const tuple = `(${marks(columns)})`
  for (const part of chunks(rows, Math.max(1, Math.floor(MAX_PARAMS / columns)))) {
    written += await db.run(`${head} VALUES ${part.map(() => tuple).join(', ')} ${tail}`, part.flat())
  }
  return written
}

async function selectIn(
  db: Executor,
  sql: (placeholders: string) => string,
  before: readonly SqlValue[],
  values: readonly (string | number)[],
): Promise<unknown[]> {
  const unique = [...new Set(values)]
  const rows: unknown[] = []
  for (const part of chunks(unique, MAX_PARAMS)) {
    rows.push(...(await db.all(sql(marks(part.length)), [...before, ...part])))
  }
  return rows
}

async function lockPositionsWith(db: Executor, organisationId: string): Promise<number> {
  await db.run(
    'INSERT INTO org_positions (organisation_id, last_position) VALUES (?, 0) ON CONFLICT DO NOTHING',
    [organisationId],
  )
  const [row] = await db.all(
    `UPDATE org_positions SET last_position = last_position WHERE organisation_id = ?
     RETURNING last_position`,
    [organisationId],
  )
  return LastPositionRow.parse(row).last_position
}

/** Writes changes at their positions, dropping the rows they supersede (a pull needs only the latest). */
async function writeChangesWith(
  db: Executor,
  organisationId: string,
  changes: readonly NewChange[],
): Promise<void> {
  const latest = new Map<string, NewChange>()
  for (const change of changes) latest.set(`${change.entity}\u0000${change.entityId}`, change)
  const byEntity = new Map<string, string[]>()
  for (const change of latest.values()) {
    const ids = byEntity.get(change.entity) ?? []
    ids.push(change.entityId)
    byEntity.set(change.entity, ids)
  }
  for (const [entity, ids] of byEntity) {
    for (const part of chunks(ids, MAX_PARAMS)) {
      await db.run(
        `DELETE FROM changes WHERE organisation_id = ? AND entity = ? AND entity_id IN (${marks(part.length)})`,
        [organisationId, entity, ...part],
      )
    }
  }
  await insertMany(
    db,
    'INSERT INTO changes (organisation_id, position, entity, entity_id, version, data)',
    6,
    [...latest.values()].map((c) => [
      organisationId,
      c.position,
      c.entity,
      c.entityId,
      c.version,
      json(c.data),
    ]),
  )
}

async function insertAuditWith(
  db: Executor,
  organisationId: string,
  rows: readonly AuditWrite[],
): Promise<void> {
  await insertMany(
    db,
    `INSERT INTO audit_events (organisation_id, chain_position, id, mutation_id, user_id, on_behalf_of,
         action, entity, entity_id, patient_id, fields, device_id, device_time, server_time, outcome, reason,
         prev_hash, hash)`,
    18,
    rows.map((a) => [
      organisationId,
      a.chainPosition,
      a.id,
      a.mutationId,
      a.userId,
      a.onBehalfOf,
      a.action,
      a.entity,
      a.entityId,
      a.patientId,
      a.fields === null ? null : json(a.fields),
      a.deviceId,
      a.deviceTime,
      a.serverTime,
      a.outcome,
      a.reason,
      a.prevHash,
      a.hash,
    ]),
  )
}

/** Appends changes outside a push (user, role grant, resolution): takes the counter lock itself. */
export async function appendChangesWith(
  db: Executor,
  organisationId: string,
  changes: readonly Omit<NewChange, 'position'>[],
): Promise<readonly number[]> {
  if (changes.length === 0) return []
  const last = await lockPositionsWith(db, organisationId)
  const numbered = changes.map((c, i) => ({ ...c, position: last + i + 1 }))
  await db.run('UPDATE org_positions SET last_position = ? WHERE organisation_id = ?', [
    last + changes.length,
    organisationId,
  ])
  await writeChangesWith(db, organisationId, numbered)
  return numbered.map((c) => c.position)
}

const PULL_ENTITY_LIST = PULL_ENTITIES.map((e) => `'${e}'`).join(', ')
const CHANGE_JSON = `'{"position":' || position || ',"entity":' || json_quote(entity) || ',"id":' || json_quote(entity_id)
  || CASE WHEN version IS NULL THEN '' ELSE ',"version":' || version END || ',"data":' || data || '}'`
/**
 * A pull page as SQLite writes it: one statement (one snapshot) answering the page's changes as one JSON blob,
 * the page's positions in the order they were concatenated, its last position, the device's lastSeq and whether
 * more changes follow. Parameters: device, organisation, after, limit, organisation, after, limit.
 * `group_concat` without ORDER BY takes the rows in the order the ordered subquery yields them, which is what
 * SQLite does, but its documentation leaves that order unspecified; `ordered` asks for it explicitly (a sort,
 * slower), for the case the positions come back out of order.
 */
const sqlitePullJson = (ordered: boolean) => {
  const order = ordered ? ' ORDER BY position' : ''
  return `
  SELECT
    CAST('[' || coalesce(group_concat(${CHANGE_JSON}, ','${order}) FILTER (WHERE entity IN (${PULL_ENTITY_LIST})), '')
      || ']' AS BLOB) AS changes,
    group_concat(position, ','${order}) AS positions,
    max(position) AS last_position,
    (SELECT last_seq FROM devices WHERE id = ?) AS last_seq,
    EXISTS (
      SELECT 1 FROM changes WHERE organisation_id = ? AND position > ? ORDER BY position LIMIT 1 OFFSET ?
    ) AS has_more
  FROM (
    SELECT position, entity, entity_id, version, data FROM changes
    WHERE organisation_id = ? AND position > ? ORDER BY position LIMIT ?
  )`
}
const SQLITE_PULL_JSON = sqlitePullJson(false)
const SQLITE_PULL_JSON_ORDERED = sqlitePullJson(true)

/** True when a comma-separated list of integers is strictly increasing. */
function ascending(list: string): boolean {
  let previous = -Infinity
  for (const item of list.split(',')) {
    const n = Number(item)
    if (!(n > previous)) return false
    previous = n
  }
  return true
}

/** The sync queries over one executor (the pool, a connection or a transaction). */
export function createSyncQueries(db: Executor, _clock: Clock): SyncQueries {
  const queries: SyncQueries = {
    lockPositions: (organisationId) => lockPositionsWith(db, organisationId),

    async setLastPosition(organisationId, position) {
      await db.run('UPDATE org_positions SET last_position = ? WHERE organisation_id = ?', [
        position,
        organisationId,
      ])
    },

    appendChanges: (organisationId, changes) => appendChangesWith(db, organisationId, changes),

    async deviceLastSeq(deviceId) {
      const [row] = await db.all('SELECT last_seq FROM devices WHERE id = ?', [deviceId])
      return row === undefined ? null : LastSeqRow.parse(row).last_seq
    },

    async storedResults(deviceId, seqs) {
      if (seqs.length === 0) return []
      const rows = await selectIn(
        db,
        (p) => `SELECT seq, mutation_id, result FROM mutation_results WHERE device_id = ? AND seq IN (${p})`,
        [deviceId],
        seqs,
      )
      return rows.map((row) => {
        const r = StoredResultRow.parse(row)
        return { seq: r.seq, mutationId: r.mutation_id, result: r.result }
      })
    },

    async usedMutationIds(ids) {
      if (ids.length === 0) return []
      const rows = await selectIn(
        db,
        (p) => `SELECT mutation_id, device_id, seq FROM mutation_results WHERE mutation_id IN (${p})`,
        [],
        ids,
      )
      return rows.map((row) => {
        const r = UsedIdRow.parse(row)
        return { mutationId: r.mutation_id, deviceId: r.device_id, seq: r.seq }
      })
    },

    async aliases(organisationId, ids) {
      if (ids.length === 0) return []
      const rows = await selectIn(
        db,
        (p) =>
          `SELECT alias_id, patient_id FROM patient_aliases WHERE organisation_id = ? AND alias_id IN (${p})`,
        [organisationId],
        ids,
      )
      return rows.map((row) => {
        const r = AliasRow.parse(row)
        return { aliasId: r.alias_id, patientId: r.patient_id }
      })
    },

    async patientsByIdsOrKeys(organisationId, ids, keys) {
      const found = new Map<string, PatientRow>()
      const lookups: [string, readonly string[]][] = [
        ['id', ids],
        ['nir_key', keys.nir],
        ['niss_key', keys.niss],
        ['beneficiary_key', keys.beneficiary],
      ]
      for (const [column, values] of lookups) {
        if (values.length === 0) continue
        const rows = await selectIn(
          db,
          (p) => `SELECT id, data FROM patients WHERE organisation_id = ? AND ${column} IN (${p})`,
          [organisationId],
          values,
        )
        for (const row of rows) {
          const r = PatientDataRow.parse(row)
          found.set(r.id, r)
        }
      }
      return [...found.values()]
    },

    async stepsOf(organisationId, patientIds) {
      if (patientIds.length === 0) return []
      const rows = await selectIn(
        db,
        (p) => `SELECT id, patient_id, data FROM steps WHERE organisation_id = ? AND patient_id IN (${p})`,
        [organisationId],
        patientIds,
      )
      return rows.map((row) => {
        const r = OwnedDataRow.parse(row)
        return { id: r.id, patientId: r.patient_id, data: r.data }
      })
    },

    async adverseEventsOf(organisationId, patientIds) {
      if (patientIds.length === 0) return []
      const rows = await selectIn(
        db,
        (p) =>
          `SELECT id, patient_id, data FROM adverse_events WHERE organisation_id = ? AND patient_id IN (${p})`,
        [organisationId],
        patientIds,
      )
      return rows.map((row) => {
        const r = OwnedDataRow.parse(row)
        return { id: r.id, patientId: r.patient_id, data: r.data }
      })
    },

    async stepOwners(organisationId, stepIds) {
      if (stepIds.length === 0) return []
      const rows = await selectIn(
        db,
        (p) => `SELECT id, patient_id FROM steps WHERE organisation_id = ? AND id IN (${p})`,
        [organisationId],
        stepIds,
      )
      return rows.map((row) => {
        const r = OwnerRow.parse(row)
        return { id: r.id, patientId: r.patient_id }
      })
    },

    async adverseEventOwners(organisationId, ids) {
      if (ids.length === 0) return []
      const rows = await selectIn(
        db,
        (p) => `SELECT id, patient_id FROM adverse_events WHERE organisation_id = ? AND id IN (${p})`,
        [organisationId],
        ids,
      )
      return rows.map((row) => {
        const r = OwnerRow.parse(row)
        return { id: r.id, patientId: r.patient_id }
      })
    },

    async organisationGrants(organisationId) {
      const rows = await db.all(
        `SELECT id, user_id, role, acts_for_user_id, starts_at, ends_at, revoked_at
         FROM role_grants WHERE organisation_id = ? ORDER BY granted_at, id`,
        [organisationId],
      )
      return rows.map((row) => RoleGrantRowSchema.parse(row))
    },

    async signInTimes(deviceId, userIds) {
      if (userIds.length === 0) return []
      const rows = await selectIn(
        db,
        (p) => `SELECT user_id, created_at FROM device_keys WHERE device_id = ? AND user_id IN (${p})`,
        [deviceId],
        userIds,
      )
      return rows.map((row) => {
        const r = SignInRow.parse(row)
        return { userId: r.user_id, at: r.created_at }
      })
    },

    async lastAuditLink(organisationId) {
      const [row] = await db.all(
        `SELECT chain_position, hash FROM audit_events WHERE organisation_id = ?
         ORDER BY chain_position DESC LIMIT 1`,
        [organisationId],
      )
      if (row === undefined) return null
      const r = AuditLinkRow.parse(row)
      return { chainPosition: r.chain_position, hash: r.hash }
    },

    insertAudit: (organisationId, rows) => insertAuditWith(db, organisationId, rows),

    async writePush(w) {
      const org = w.organisationId
      await insertMany(
        db,
        `INSERT INTO patients (organisation_id, id, version, code_de_ciblage, nir_key, niss_key, beneficiary_key,
           data, created_at, updated_at)`,
        10,
        w.patients.map((p) => [
          org,
          p.id,
          p.version,
          p.codeDeCiblage,
          p.nirKey,
          p.nissKey,
          p.beneficiaryKey,
          json(p.data),
          p.createdAt,
          p.updatedAt,
        ]),
        `ON CONFLICT (organisation_id, id) DO UPDATE SET version = excluded.version,
           code_de_ciblage = excluded.code_de_ciblage, nir_key = excluded.nir_key, niss_key = excluded.niss_key,
           beneficiary_key = excluded.beneficiary_key, data = excluded.data, updated_at = excluded.updated_at`,
      )
      await insertMany(
        db,
        'INSERT INTO steps (organisation_id, id, patient_id, kind, version, data, updated_at)',
        7,
        w.steps.map((s) => [org, s.id, s.patientId, s.kind, s.version, json(s.data), s.updatedAt]),
        `ON CONFLICT (organisation_id, id) DO UPDATE SET version = excluded.version, data = excluded.data,
           updated_at = excluded.updated_at`,
      )
      // Upserted with the step: an amendment brings its current place and vaccine, the receipt day stays the first.
      await insertMany(
        db,
        'INSERT INTO dose_activity (organisation_id, step_id, day, received_day, place, vaccine_id)',
        6,
        w.steps.flatMap((s) => {
          if (s.kind !== 'dose') return []
          const a = doseActivityOf(s.data)
          return [[org, s.id, a.day, a.receivedDay, a.place, a.vaccineId]]
        }),
        `ON CONFLICT (organisation_id, step_id) DO UPDATE SET day = excluded.day, place = excluded.place,
           vaccine_id = excluded.vaccine_id`,
      )
      await insertMany(
        db,
        'INSERT INTO adverse_events (organisation_id, id, patient_id, step_id, data, recorded_at)',
        6,
        w.adverseEvents.map((e) => [org, e.id, e.patientId, e.stepId, json(e.data), e.recordedAt]),
      )
      await insertMany(
        db,
        'INSERT INTO lots (organisation_id, vaccine_id, lot_number, expiry, data, updated_at)',
        6,
        w.lots.map((l) => [org, l.vaccineId, l.lotNumber, l.expiry, json(l.data), l.updatedAt]),
        `ON CONFLICT (organisation_id, vaccine_id, lot_number) DO UPDATE SET expiry = excluded.expiry,
           data = excluded.data, updated_at = excluded.updated_at`,
      )
      await insertMany(
        db,
        'INSERT INTO patient_aliases (organisation_id, alias_id, patient_id, mutation_id, created_at)',
        5,
        w.aliases.map((a) => [org, a.aliasId, a.patientId, a.mutationId, w.receivedAt]),
        'ON CONFLICT DO NOTHING',
      )
      await writeChangesWith(db, org, w.changes)
      const written = await insertMany(
        db,
        `INSERT INTO mutation_results (device_id, seq, mutation_id, organisation_id, status, result,
           received_at)`,
        7,
        w.results.map((r) => [w.deviceId, r.seq, r.mutationId, org, r.status, json(r.result), w.receivedAt]),
        'ON CONFLICT DO NOTHING',
      )
      // A concurrent push from another device claimed one of these mutation ids first (checked before,
      // but not locked): abort so the client retries and gets the proper refusal.
      if (written !== w.results.length) throw new SyncConflictError('mutation id claimed concurrently')
      await insertMany(
        db,
        `INSERT INTO rejections (mutation_id, organisation_id, device_id, user_id, seq, mutation, error, detail,
           rejected_at)`,
        9,
        w.rejections.map((r) => [
          r.mutationId,
          org,
          r.deviceId,
          r.userId,
          r.seq,
          json(r.mutation),
          r.error,
          r.detail === undefined ? null : json(r.detail),
          r.rejectedAt,
        ]),
      )
      await insertAuditWith(db, org, w.audit)
      await db.run('UPDATE devices SET last_seq = ? WHERE id = ?', [w.lastSeq, w.deviceId])
      await db.run('UPDATE org_positions SET last_position = ? WHERE organisation_id = ?', [
        w.lastPosition,
        org,
      ])
    },

    async pullPageJson(organisationId, deviceId, after, limit) {
      if (db.dialect === 'sqlite') {
        // SQLite writes the answer itself: the page goes out as one blob of the JSON text it already holds,
        // with no row objects, no text decoded and encoded again, and no `data` parsed.
        const params = [deviceId, organisationId, after, limit, organisationId, after, limit]
        const bulk = { bulk: true }
        let [row] = (await db.all(SQLITE_PULL_JSON, params, bulk)) as (Record<string, unknown> | undefined)[]
        if (typeof row?.positions === 'string' && !ascending(row.positions)) {
          ;[row] = (await db.all(SQLITE_PULL_JSON_ORDERED, params, bulk)) as (
            Record<string, unknown> | undefined
          )[]
        }
        const changes = row?.changes
        if (row === undefined || !(Buffer.isBuffer(changes) || typeof changes === 'string')) {
          throw new TypeError('pull: unexpected answer shape')
        }
        return {
          lastSeq: row.last_seq === null ? 0 : toInteger(row.last_seq),
          changes,
          lastPosition: row.last_position === null ? null : toInteger(row.last_position),
          hasMore: toInteger(row.has_more) !== 0,
        }
      }
      const page = await queries.pullPage(organisationId, deviceId, after, limit + 1)
      const rows = page.changes.slice(0, limit)
      const parts: string[] = []
      for (const row of rows) {
        if (!(PULL_ENTITIES as readonly string[]).includes(row.entity)) continue
        const version = row.version === null ? '' : `,"version":${row.version}`
        parts.push(
          `{"position":${row.position},"entity":${JSON.stringify(row.entity)},"id":${JSON.stringify(row.entityId)}${version},"data":${row.data}}`,
        )
      }
      return {
        lastSeq: page.lastSeq,
        changes: `[${parts.join(',')}]`,
        lastPosition: rows[rows.length - 1]?.position ?? null,
        hasMore: page.changes.length > limit,
      }
    },

    async pullPage(organisationId, deviceId, after, limit) {
      const rows = await db.all(
        `SELECT 0 AS part, last_seq AS position, NULL AS entity, NULL AS entity_id, NULL AS version,
           NULL AS data FROM devices WHERE id = ?
         UNION ALL
         SELECT 1, page.position, page.entity, page.entity_id, page.version, page.data FROM (
           SELECT position, entity, entity_id, version, data FROM changes
           WHERE organisation_id = ? AND position > ? ORDER BY position LIMIT ?
         ) AS page`,
        [deviceId, organisationId, after, limit],
      )
      let lastSeq = 0
      const changes: ChangeRow[] = []
      let sorted = true
      for (const raw of rows) {
        const row = raw as Record<string, unknown>
        if (toInteger(row.part) === 0) {
          lastSeq = toInteger(row.position)
          continue
        }
        const change = changeRowOf(row)
        const previous = changes[changes.length - 1]
        if (previous !== undefined && previous.position > change.position) sorted = false
        changes.push(change)
      }
      if (!sorted) changes.sort((a, b) => a.position - b.position)
      return { lastSeq, changes }
    },

    async getRejection(organisationId, mutationId) {
      const [row] = await db.all(
        `SELECT mutation_id, organisation_id, device_id, user_id, mutation, error, detail, rejected_at,
           resolution, resolved_by, resolved_at, note
         FROM rejections WHERE organisation_id = ? AND mutation_id = ?`,
        [organisationId, mutationId],
      )
      return row === undefined ? null : RejectionRowSchema.parse(row)
    },

    async resolveRejection(mutationId, resolution) {
      const changed = await db.run(
        `UPDATE rejections SET resolution = ?, note = ?, resolved_by = ?, resolved_at = ?
         WHERE mutation_id = ? AND resolution IS NULL`,
        [resolution.kind, resolution.note, resolution.by, resolution.at, mutationId],
      )
      return changed > 0
    },
  }
  return queries
}

/** A write lost a race it can only win on retry: answered 503, nothing committed. */
export class SyncConflictError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'SyncConflictError'
  }
}
