// The invariants checked at the end of every simulated run, once every device is online and quiescent. The
// server's state is read from its SQLite file (a read-only connection beside the live store); the devices' from
// their IndexedDB. Each check returns the list of what is wrong (empty = holds), so a failure reports all of it.
import { isDeepStrictEqual } from 'node:util'
import Database from '../../../sync-server/src/store/sqlite-driver'
import { applyCommand, remapMutation, type CommandState } from '../../../src/domain/commands/apply-command'
import type { PatientFile } from '../../../src/domain/patients/patient-file'
import { professionalOf, type DoseStep } from '../../../src/domain/steps/step'
import { CATALOGUE } from '../../../src/domain/vaccines/catalogue'
import { findVaccine } from '../../../src/domain/vaccines/schedule'
import { allPatients, allSteps } from '../../../src/db/testing'
import type { Mutation } from '../../../src/shared/commands'
import {
  PatientRecordSchema,
  StepRecordSchema,
  type PatientRecord,
  type StepRecord,
} from '../../../src/shared/records'
import { parseOutboxRow } from '../../../src/sync/outbox'
import type { LocalRejection } from '../../../src/sync/pull'
import type { SettledOutboxRow } from '../../../src/sync/replayer'
import { pullAll } from '../sync-helpers'
import type { SimDevice, SimServer } from './world'

type ServerSnapshot = {
  patients: Map<string, PatientRecord>
  steps: Map<string, StepRecord>
  results: { deviceId: string; seq: number; mutationId: string; status: string; error?: string }[]
  /** Rejections kept on the server, with their resolution (null while unresolved). */
  rejections: Map<string, string | null>
  /** Every mutation the server judged, in the order it judged them (the audit chain), with its receipt time. */
  judged: { mutationId: string; serverTime: string; outcome: string }[]
  doneAudit: Map<string, number>
  signIns: Map<string, string>
}

function readServer(file: string): ServerSnapshot {
  const db = new Database(file, { readonly: true, fileMustExist: true })
  try {
    const patients = new Map<string, PatientRecord>()
    for (const row of db.prepare('SELECT data FROM patients').all() as { data: string }[]) {
      const p = PatientRecordSchema.parse(JSON.parse(row.data))
      patients.set(p.id, p)
    }
    const steps = new Map<string, StepRecord>()
    for (const row of db.prepare('SELECT data FROM steps').all() as { data: string }[]) {
      const s = StepRecordSchema.parse(JSON.parse(row.data))
      steps.set(s.id, s)
    }
    const results = (
      db
        .prepare(
          'SELECT device_id, seq, mutation_id, status, result FROM mutation_results ORDER BY device_id, seq',
        )
        .all() as { device_id: string; seq: number; mutation_id: string; status: string; result: string }[]
    ).map((r) => {
      const error = (JSON.parse(r.result) as { error?: string }).error
      return {
        deviceId: r.device_id,
        seq: r.seq,
        mutationId: r.mutation_id,
        status: r.status,
        ...(error === undefined ? {} : { error }),
      }
    })
    const rejections = new Map(
      (
        db.prepare('SELECT mutation_id, resolution FROM rejections').all() as {
          mutation_id: string
          resolution: string | null
        }[]
      ).map((r) => [r.mutation_id, r.resolution]),
    )
    const audit = db
      .prepare(
        `SELECT mutation_id, server_time, outcome FROM audit_events
         WHERE mutation_id IS NOT NULL ORDER BY organisation_id, chain_position`,
      )
      .all() as { mutation_id: string; server_time: string; outcome: string }[]
    const judged: ServerSnapshot['judged'] = []
    const seen = new Set<string>()
    const doneAudit = new Map<string, number>()
    for (const row of audit) {
      if (row.outcome === 'done') doneAudit.set(row.mutation_id, (doneAudit.get(row.mutation_id) ?? 0) + 1)
      if (seen.has(row.mutation_id)) continue
      seen.add(row.mutation_id)
      judged.push({ mutationId: row.mutation_id, serverTime: row.server_time, outcome: row.outcome })
    }
    const signIns = new Map(
      (
        db.prepare('SELECT device_id, user_id, created_at FROM device_keys').all() as {
          device_id: string
          user_id: string
          created_at: string
        }[]
      ).map((r) => [`${r.device_id}/${r.user_id}`, r.created_at]),
    )
    return { patients, steps, results, rejections, judged, doneAudit, signIns }
  } finally {
    db.close()
  }
}

const byId = <T extends { id: string }>(items: Iterable<T>) =>
  [...items].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))

/** Everything the devices queued, by mutation id, with the outbox row it sits in. */
async function outboxes(devices: readonly SimDevice[]) {
  const rows = new Map<string, { device: SimDevice; row: SettledOutboxRow; mutation: Mutation }>()
  const perDevice = new Map<SimDevice, SettledOutboxRow[]>()
  for (const device of devices) {
    const list = (await device.db.outbox.orderBy('seq').toArray()) as SettledOutboxRow[]
    perDevice.set(device, list)
    for (const row of list) rows.set(row.id, { device, row, mutation: parseOutboxRow(row).mutation })
  }
  return { rows, perDevice }
}

/**
 * Checks the four invariants of the simulation and answers what is broken (an empty list when they hold):
 * 1. nothing silently lost; 2. nothing applied twice; 3. devices converge to the server; 4. no rule-breaking step
 * in the server's history.
 */
export async function checkInvariants(
  server: SimServer,
  devices: readonly SimDevice[],
  prelude: readonly Mutation[],
): Promise<string[]> {
  const problems: string[] = []
  const snapshot = readServer(server.file)
  const { rows, perDevice } = await outboxes(devices)

  // (1) Every queued mutation ends applied or rejected, the rejected ones in the device's rejections table and
  // on the server; the server's results for the device are exactly the device's outbox, seq by seq.
  const rejectedIds = new Set<string>()
  for (const [device, list] of perDevice) {
    const results = snapshot.results.filter((r) => r.deviceId === device.session.deviceId)
    for (const row of list) {
      const where = `device ${device.index} seq ${row.seq} (${row.type})`
      if (row.status !== 'applied' && row.status !== 'rejected')
        problems.push(`(1) ${where} still ${row.status}`)
      const result = results.find((r) => r.seq === row.seq)
      if (result === undefined || result.mutationId !== row.id) {
        problems.push(`(1) ${where}: the server has no result for ${row.id}`)
      } else if (result.status !== row.status) {
        problems.push(`(1) ${where}: ${row.status} on the device, ${result.status} on the server`)
      } else if (row.status === 'rejected' && result.error !== row.error) {
        problems.push(`(1) ${where}: rejected for ${row.error} on the device, ${result.error} on the server`)
      }
      if (row.status === 'rejected') {
        rejectedIds.add(row.id)
        const local = (await device.db.rejections.get(row.id)) as LocalRejection | undefined
        if (local === undefined) problems.push(`(1) ${where}: rejected but not in the device's rejections`)
        if (!snapshot.rejections.has(row.id))
          problems.push(`(1) ${where}: rejected but not kept on the server`)
        // A resolution the person chose reaches the server (the dashboard sees it) and nothing stays queued.
        if (local?.pendingResolution !== undefined)
          problems.push(`(1) ${where}: its resolution was never sent`)
        if (local?.resolution !== undefined && snapshot.rejections.get(row.id) !== local.resolution.kind)
          problems.push(
            `(1) ${where}: resolved ${local.resolution.kind} on the device, ${String(snapshot.rejections.get(row.id))} on the server`,
          )
        if (row.rolledBackAt === undefined) problems.push(`(1) ${where}: rejected but never rolled back`)
      }
    }
    if (results.length !== list.length) {
      problems.push(
        `(1) device ${device.index}: ${list.length} queued, ${results.length} results on the server`,
      )
    }
  }

  // (2) No step applied twice: one step per slot, each mutation applied at most once (one version, one audit row).
  const slots = new Map<string, string>()
  const versionOwners = new Map<string, string>()
  for (const step of snapshot.steps.values()) {
    const slot =
      step.kind === 'eligibility'
        ? `${step.patientId}/eligibility`
        : `${step.patientId}/dose/${step.targetDisease}/${step.doseNumber}`
    const other = slots.get(slot)
    if (other !== undefined) problems.push(`(2) two steps in slot ${slot}: ${other} and ${step.id}`)
    slots.set(slot, step.id)
    for (const v of step.versions) {
      const owner = versionOwners.get(v.mutationId)
      if (owner !== undefined)
        problems.push(`(2) mutation ${v.mutationId} wrote two versions (${owner}, ${step.id})`)
      versionOwners.set(v.mutationId, `${step.id}#${v.version}`)
    }
  }
  for (const [mutationId, count] of snapshot.doneAudit) {
    if (count > 1) problems.push(`(2) mutation ${mutationId} applied ${count} times (audit)`)
  }
  const resultIds = new Set<string>()
  for (const r of snapshot.results) {
    if (resultIds.has(r.mutationId)) problems.push(`(2) mutation ${r.mutationId} has two results`)
    resultIds.add(r.mutationId)
  }

  // (3) Every device holds exactly what a full pull from zero gives (rejected local-only data rolled back), which
  // is also what the server's tables hold. The pull is the organisation's, the same for every device.
  const reference = devices[0]
  if (reference !== undefined) {
    const pulled = await pullAll(server.app(), reference.session)
    const serverPatients = byId(
      pulled.changes.filter((c) => c.entity === 'patient').map((c) => PatientRecordSchema.parse(c.data)),
    )
    const serverSteps = byId(
      pulled.changes.filter((c) => c.entity === 'step').map((c) => StepRecordSchema.parse(c.data)),
    )
    diffRecords(
      problems,
      '(3) server tables vs pull: patients',
      byId(snapshot.patients.values()),
      serverPatients,
    )
    diffRecords(problems, '(3) server tables vs pull: steps', byId(snapshot.steps.values()), serverSteps)
    for (const device of devices) {
      const localPatients = byId(await allPatients(device.db))
      const localSteps = byId(await allSteps(device.db))
      diffRecords(problems, `(3) device ${device.index} patients`, localPatients, serverPatients)
      diffRecords(problems, `(3) device ${device.index} steps`, localSteps, serverSteps)
    }
  }

  // (4) No rule-breaking step in the server's history: structural checks on the step versions, then every
  // judged mutation re-run through the domain rules in the server's order must get the server's verdict and
  // rebuild the server's records exactly.
  checkStepHistory(problems, snapshot)
  await replayHistory(problems, snapshot, rows, prelude, devices)
  return problems
}

function diffRecords<T extends { id: string }>(problems: string[], what: string, actual: T[], expected: T[]) {
  const a = new Map(actual.map((r) => [r.id, r]))
  const e = new Map(expected.map((r) => [r.id, r]))
  for (const [id, record] of e) {
    const mine = a.get(id)
    if (mine === undefined) problems.push(`${what}: ${id} missing`)
    else if (!isDeepStrictEqual(JSON.parse(JSON.stringify(mine)), JSON.parse(JSON.stringify(record))))
      problems.push(
        `${what}: ${id} differs\n    have ${JSON.stringify(mine)}\n    want ${JSON.stringify(record)}`,
      )
  }
  for (const id of a.keys()) if (!e.has(id)) problems.push(`${what}: ${id} should not be there`)
}

function checkStepHistory(problems: string[], snapshot: ServerSnapshot) {
  const order = new Map(snapshot.judged.map((j, i) => [j.mutationId, i]))
  const recorded = (step: StepRecord) => order.get(step.versions[0]?.mutationId ?? '') ?? -1
  const byPatient = new Map<string, StepRecord[]>()
  for (const step of snapshot.steps.values()) {
    byPatient.set(step.patientId, [...(byPatient.get(step.patientId) ?? []), step])
  }
  for (const [patientId, steps] of byPatient) {
    const eligibility = steps.find((s) => s.kind === 'eligibility')
    const doses = steps.filter((s): s is DoseStep => s.kind === 'dose')
    const doseAt = (disease: string, n: number) =>
      doses.find((s) => s.targetDisease === disease && s.doseNumber === n)
    for (const step of steps) {
      const where = `(4) patient ${patientId} step ${step.id}`
      const mine = recorded(step)
      if (mine < 0) problems.push(`${where}: its recording is not in the audit chain`)
      // Its predecessor exists and was recorded before it.
      if (step.kind === 'dose') {
        const previous = step.doseNumber === 1 ? eligibility : doseAt(step.targetDisease, step.doseNumber - 1)
        if (previous === undefined)
          problems.push(`${where}: dose ${step.doseNumber} without its previous step`)
        else if (recorded(previous) > mine) problems.push(`${where}: recorded before its previous step`)
      }
      // No amendment after the next step was recorded; every amendment by the author professional.
      const next =
        step.kind === 'eligibility'
          ? [...doses].sort((a, b) => recorded(a) - recorded(b))[0]
          : doseAt(step.targetDisease, step.doseNumber + 1)
      const author = professionalOf(step.author)
      for (const v of step.versions.slice(1)) {
        const when = order.get(v.mutationId)
        if (when === undefined) problems.push(`${where}: amendment ${v.version} not in the audit chain`)
        else if (next !== undefined && when > recorded(next))
          problems.push(
            `${where}: amendment ${v.version} applied after the next step ${next.id} was recorded`,
          )
        if (professionalOf(v.actor) !== author)
          problems.push(
            `${where}: amendment ${v.version} by ${professionalOf(v.actor)}, not the author ${author}`,
          )
      }
      if (step.kind !== 'dose') continue
      // Vaccine consistency: the series' disease, dose ≥ 2 of a primary series = dose 1's product, no dose 2 of a
      // single-dose series, no booster-only product as dose 1.
      const first = doseAt(step.targetDisease, 1)
      const firstVaccine = first?.versions[first.versions.length - 1]?.fields.vaccineId
      const series = firstVaccine === undefined ? undefined : findVaccine(CATALOGUE, firstVaccine)
      for (const v of step.versions) {
        const vaccine = findVaccine(CATALOGUE, v.fields.vaccineId)
        if (vaccine?.targetDisease !== step.targetDisease)
          problems.push(
            `${where} v${v.version}: ${v.fields.vaccineId} is not a ${step.targetDisease} vaccine`,
          )
        if (step.doseNumber === 1 && vaccine?.isBoosterOnly === true)
          problems.push(`${where} v${v.version}: booster-only ${vaccine.id} as dose 1`)
        if (step.doseNumber > 1 && !step.isBooster && v.fields.vaccineId !== firstVaccine)
          problems.push(
            `${where} v${v.version}: dose ${step.doseNumber} of ${v.fields.vaccineId}, dose 1 of ${firstVaccine}`,
          )
      }
      if (
        step.doseNumber > 1 &&
        !step.isBooster &&
        series !== undefined &&
        step.doseNumber > series.dosesInPrimarySeries
      )
        problems.push(`${where}: dose ${step.doseNumber} of a ${series.dosesInPrimarySeries}-dose series`)
    }
  }
}

type ModelFile = { patient: PatientRecord; steps: StepRecord[] }

async function replayHistory(
  problems: string[],
  snapshot: ServerSnapshot,
  rows: Map<string, { device: SimDevice; row: SettledOutboxRow; mutation: Mutation }>,
  prelude: readonly Mutation[],
  devices: readonly SimDevice[],
) {
  const envelopes = new Map<string, { mutation: Mutation; from: string }>(
    prelude.map((m) => [m.id, { mutation: m, from: 'prelude' }]),
  )
  for (const [id, entry] of rows)
    envelopes.set(id, { mutation: entry.mutation, from: `device ${entry.device.index}` })
  const reference = devices[0]
  if (reference === undefined) return
  const files = new Map<string, ModelFile>()
  const aliases = new Map<string, string>()
  const verdicts = new Map(snapshot.results.map((r) => [r.mutationId, r]))
  // The organisation's members and grants as the devices pulled them.
  const users = await reference.db.users.toArray()
  const grants = await reference.db.roleGrants.toArray()
  for (const judged of snapshot.judged) {
    const entry = envelopes.get(judged.mutationId)
    if (entry === undefined) {
      problems.push(`(4) the server judged ${judged.mutationId}, which no device queued`)
      continue
    }
    const original = entry.mutation
    const pid = (original.payload as { patientId?: string }).patientId
    const target = pid === undefined ? undefined : aliases.get(pid)
    const mutation =
      target === undefined || pid === undefined ? original : remapMutation(original, { [pid]: target })
    const state: CommandState = {
      catalogue: CATALOGUE,
      users,
      grants,
      files: [...files.values()] satisfies PatientFile[],
    }
    const signInAt = snapshot.signIns.get(`${original.deviceId}/${original.actor.userId}`)
    const outcome = applyCommand(state, mutation, {
      now: judged.serverTime,
      ...(signInAt === undefined ? {} : { signInAt }),
    })
    const verdict = verdicts.get(original.id)
    const where = `(4) replay of ${original.id} (${original.type}, ${entry.from} seq ${original.seq})`
    if (verdict === undefined) {
      problems.push(`${where}: no result on the server`)
      continue
    }
    if (outcome.ok !== (verdict.status === 'applied')) {
      problems.push(
        `${where}: the rules say ${outcome.ok ? 'applied' : `rejected (${outcome.error})`}, the server ${verdict.status}${verdict.error === undefined ? '' : ` (${verdict.error})`}`,
      )
      continue
    }
    if (!outcome.ok) {
      if (outcome.error !== verdict.error)
        problems.push(`${where}: rejected for ${outcome.error}, the server said ${verdict.error}`)
      continue
    }
    const { effects } = outcome
    if (effects.patient !== undefined) {
      const file = files.get(effects.patient.id)
      if (file === undefined) files.set(effects.patient.id, { patient: effects.patient, steps: [] })
      else file.patient = effects.patient
    }
    if (effects.step !== undefined) {
      const step = effects.step
      const file = files.get(step.patientId)
      if (file === undefined) problems.push(`${where}: step of an unknown patient ${step.patientId}`)
      else file.steps = [...file.steps.filter((s) => s.id !== step.id), step]
    }
    for (const [from, to] of Object.entries(effects.mappedIds ?? {})) aliases.set(from, to)
  }
  const patients = byId([...files.values()].map((f) => f.patient))
  const steps = byId([...files.values()].flatMap((f) => f.steps))
  diffRecords(problems, '(4) replayed patients vs server', patients, byId(snapshot.patients.values()))
  diffRecords(problems, '(4) replayed steps vs server', steps, byId(snapshot.steps.values()))
}
