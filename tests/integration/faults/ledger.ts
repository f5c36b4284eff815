// Devices that push over HTTP through faults, and the ledger check after them: every mutation a device got an
// answer for is stored with that very answer, each mutation is stored once, each device's results run 1..n
// without a hole, and each organisation's audit chain runs 1..m, every row linked to the one before.
import { PushResponseSchema, type PushResult } from '../../../src/shared/sync-api'
import { generatePatients, generateSteps } from '../../fixtures/generator'
import { httpJson } from '../../../bench/lib/http'
import {
  patientMutations,
  signInDevice,
  stepsByPatient,
  type BenchDevice,
} from '../../../bench/lib/mutations'

/** A device as the PWA keeps it: its outbox in seq order and the results it was answered. */
export type LedgerDevice = BenchDevice & {
  readonly outbox: Record<string, unknown>[]
  readonly acknowledged: Map<number, PushResult>
  readonly seed: number
  chunks: number
}

export type PushAttempt = {
  /** The HTTP status, or what happened instead. */
  readonly status: number | 'network-error' | 'timeout'
  readonly ms: number
  readonly retryAfter: string | null
  readonly body: string
}

/** Signs a device in and queues register, eligibility and dose 1 for `patients` generated patients. */
export async function ledgerDevice(
  url: string,
  login: string,
  password: string,
  seed: number,
  patients: number,
): Promise<LedgerDevice> {
  const device: LedgerDevice = {
    ...(await signInDevice(url, login, password)),
    outbox: [],
    acknowledged: new Map(),
    seed,
    chunks: 0,
  }
  queuePatients(device, patients)
  return device
}

/** Queues register, eligibility and dose 1 for `patients` more generated patients. */
export function queuePatients(device: LedgerDevice, patients: number): void {
  const seed = device.seed * 1000 + device.chunks
  device.chunks += 1
  const generated = generatePatients(seed, patients)
  const steps = stepsByPatient(generateSteps(seed, generated, 2))
  // Signed when queued, like the outbox; `at` is after the sign-in.
  const at = new Date().toISOString()
  for (const patient of generated) {
    device.outbox.push(...patientMutations(device, patient, steps.get(patient.id) ?? [], at))
  }
}

/** Whether every queued mutation of the device has its answer. */
export const isDone = (device: LedgerDevice) => device.acknowledged.size >= device.outbox.length

/**
 * Sends the device's next batch, from its first unanswered seq, as the PWA's replayer does, and keeps the
 * results of a 200. A result answered again on a retry (`replayed`) must be the one first answered; when the
 * first answer was lost, the replay is the answer.
 */
export async function pushNext(
  url: string,
  device: LedgerDevice,
  batch: number,
  timeoutMs: number,
): Promise<PushAttempt> {
  const from = device.acknowledged.size
  const started = performance.now()
  let answer
  try {
    answer = await httpJson(`${url}/api/sync/push`, {
      body: { deviceId: device.deviceId, mutations: device.outbox.slice(from, from + batch) },
      headers: { authorization: `Bearer ${device.deviceToken}` },
      timeoutMs,
    })
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    return {
      status: message.startsWith('timeout') ? 'timeout' : 'network-error',
      ms: performance.now() - started,
      retryAfter: null,
      body: message,
    }
  }
  const attempt = { status: answer.status, ms: answer.ms, retryAfter: answer.retryAfter, body: answer.text }
  if (answer.status !== 200) return attempt
  for (const result of PushResponseSchema.parse(JSON.parse(answer.text)).results) {
    const { replayed, ...first } = result
    const known = device.acknowledged.get(result.seq)
    if (known === undefined) device.acknowledged.set(result.seq, first)
    else if (replayed !== true || JSON.stringify(known) !== JSON.stringify(first)) {
      throw new Error(`seq ${result.seq} answered twice differently: ${JSON.stringify([known, result])}`)
    }
  }
  return attempt
}

/** Reads the database directly (not through the server): PostgreSQL or the SQLite file. */
export type LedgerDb = { all(sql: string): Promise<Record<string, unknown>[]> }

const quoted = (ids: readonly string[]) => ids.map((id) => `'${id.replace(/'/g, "''")}'`).join(', ')

/**
 * The ledger after a run, each problem as one line (none: sound). Over HTTP: re-sending every answered
 * mutation answers its stored result, unchanged. In the database: each device's results are its seqs 1..n
 * once each (n = what it queued, once done), mutation ids are stored once, and each organisation's audit
 * chain has consecutive positions 1..m, every row's prev_hash the hash of the one before, each of the devices'
 * mutations in it at most once, and every applied one exactly once.
 */
export async function checkLedger(
  url: string,
  devices: readonly LedgerDevice[],
  db: LedgerDb,
  batch = 100,
): Promise<string[]> {
  const problems: string[] = []
  for (const device of devices) {
    const answered = device.outbox.slice(0, device.acknowledged.size)
    for (let from = 0; from < answered.length; from += batch) {
      const answer = await httpJson(`${url}/api/sync/push`, {
        body: { deviceId: device.deviceId, mutations: answered.slice(from, from + batch) },
        headers: { authorization: `Bearer ${device.deviceToken}` },
        timeoutMs: 30_000,
      })
      if (answer.status !== 200) {
        problems.push(`${device.deviceId}: replay answered ${answer.status} ${answer.text}`)
        continue
      }
      for (const result of PushResponseSchema.parse(JSON.parse(answer.text)).results) {
        const { replayed, ...stored } = result
        const first = device.acknowledged.get(result.seq)
        if (replayed !== true || JSON.stringify(stored) !== JSON.stringify(first)) {
          problems.push(
            `${device.deviceId} seq ${result.seq}: answered ${JSON.stringify(first)}, stored ${JSON.stringify(result)}`,
          )
        }
      }
    }
  }

  const ids = devices.map((d) => d.deviceId)
  const results = await db.all(
    `SELECT device_id, seq, mutation_id, status FROM mutation_results WHERE device_id IN (${quoted(ids)})
     ORDER BY device_id, seq`,
  )
  for (const device of devices) {
    const rows = results.filter((r) => r.device_id === device.deviceId)
    const seqs = rows.map((r) => Number(r.seq))
    const expected = Array.from({ length: seqs.length }, (_, i) => i + 1)
    if (JSON.stringify(seqs) !== JSON.stringify(expected)) {
      problems.push(`${device.deviceId}: stored seqs are not 1..${seqs.length}: ${seqs.join(',')}`)
    }
    if (isDone(device) && seqs.length !== device.outbox.length) {
      problems.push(`${device.deviceId}: ${seqs.length} results stored for ${device.outbox.length} mutations`)
    }
    for (const [seq, result] of device.acknowledged) {
      const row = rows.find((r) => Number(r.seq) === seq)
      const envelope = device.outbox[seq - 1]
      if (row === undefined)
        problems.push(`${device.deviceId} seq ${seq}: answered ${result.status}, not stored`)
      else if (row.mutation_id !== envelope?.id || row.status !== result.status) {
        problems.push(
          `${device.deviceId} seq ${seq}: stored ${JSON.stringify(row)}, answered ${result.status}`,
        )
      }
    }
  }
  const mutationIds = results.map((r) => String(r.mutation_id))
  if (new Set(mutationIds).size !== mutationIds.length) problems.push('a mutation id is stored twice')

  const audit = await db.all(
    `SELECT organisation_id, chain_position, mutation_id, outcome, prev_hash, hash FROM audit_events
     ORDER BY organisation_id, chain_position`,
  )
  const byOrganisation = new Map<string, Record<string, unknown>[]>()
  for (const row of audit) {
    const key = String(row.organisation_id)
    byOrganisation.set(key, [...(byOrganisation.get(key) ?? []), row])
  }
  for (const [organisation, rows] of byOrganisation) {
    rows.forEach((row, i) => {
      if (Number(row.chain_position) !== i + 1) {
        problems.push(`audit ${organisation}: position ${String(row.chain_position)} where ${i + 1} was due`)
      }
      const before = rows[i - 1]
      if (before !== undefined && row.prev_hash !== before.hash) {
        problems.push(`audit ${organisation}: row ${i + 1} is not linked to row ${i}`)
      }
    })
  }
  const audited = new Map<string, number>()
  for (const row of audit) {
    if (typeof row.mutation_id !== 'string') continue
    audited.set(row.mutation_id, (audited.get(row.mutation_id) ?? 0) + 1)
  }
  for (const device of devices) {
    for (const [seq, result] of device.acknowledged) {
      const id = String(device.outbox[seq - 1]?.id)
      const times = audited.get(id) ?? 0
      if (times > 1 || (result.status === 'applied' && times !== 1)) {
        problems.push(`${device.deviceId} seq ${seq}: ${result.status}, in the audit trail ${times} times`)
      }
    }
  }
  return problems
}
