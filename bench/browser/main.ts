// The bench page: the device's real code (Dexie database, repositories, outbox) on `window.carnetBench`, so
// bench/device.ts can load generated records and time searches and dose recordings inside Chromium.
import { createCarnetDb, type CarnetDb } from '../../src/db/carnet-db'
import { putPatients, putSteps, searchPatients } from '../../src/db/patients-repo'
import type { DoseFields } from '../../src/shared/commands'
import type { PatientRecord, RoleGrantRecord, StepRecord, UserRecord } from '../../src/shared/records'
import { nowLocalIso } from '../../src/sync/clock'
import { importSigningKey } from '../../src/sync/device-key'
import { uuidv7 } from '../../src/sync/ids'
import { recordChange } from '../../src/sync/outbox'

/** A dose 2 to record: the patient, and the fields but the time of injection (taken at submit). */
export type DoseToRecord = { patientId: string; fields: Omit<DoseFields, 'injectedAt'> }

export type CarnetBench = {
  open(name: string): Promise<void>
  estimate(): Promise<{ usage: number; quota: number }>
  /** Writes one page of records through putPatients then putSteps; answers the time spent in ms. */
  load(patients: PatientRecord[], steps: StepRecord[]): Promise<number>
  putOrganisation(users: UserRecord[], grants: RoleGrantRecord[]): Promise<void>
  /** Runs the queries one after another; answers each one's time (ms) and hit count. */
  search(queries: string[]): Promise<{ ms: number[]; hits: number[] }>
  /** Records the doses one after another through recordChange; answers each one's submit → committed time. */
  recordDoses(input: {
    deviceKey: string
    deviceId: string
    userId: string
    doses: DoseToRecord[]
  }): Promise<{ ms: number[]; refused: string[] }>
  /** The JSON length of every stored patient and step row, and the counts. */
  storedJson(): Promise<{ patientBytes: number; stepBytes: number; patients: number; steps: number }>
}

export type BenchWindow = { carnetBench: CarnetBench }

let current: CarnetDb | undefined
const db = (): CarnetDb => {
  if (current === undefined) throw new Error('carnetBench.open first')
  return current
}

const bench: CarnetBench = {
  async open(name) {
    current = createCarnetDb(name)
    await current.open()
  },
  async estimate() {
    const estimate = await navigator.storage.estimate()
    return { usage: estimate.usage ?? 0, quota: estimate.quota ?? 0 }
  },
  async load(patients, steps) {
    const started = performance.now()
    await putPatients(db(), patients)
    await putSteps(db(), steps)
    return performance.now() - started
  },
  async putOrganisation(users, grants) {
    await db().users.bulkPut(users)
    await db().roleGrants.bulkPut(grants)
  },
  async search(queries) {
    const ms: number[] = []
    const hits: number[] = []
    for (const query of queries) {
      const started = performance.now()
      const found = await searchPatients(db(), query)
      ms.push(performance.now() - started)
      hits.push(found.length)
    }
    return { ms, hits }
  },
  async recordDoses({ deviceKey, deviceId, userId, doses }) {
    const signingKey = await importSigningKey(deviceKey)
    const ms: number[] = []
    const refused: string[] = []
    for (const dose of doses) {
      const started = performance.now()
      const at = nowLocalIso()
      const outcome = await recordChange(db(), {
        type: 'step.record',
        payload: {
          kind: 'dose',
          stepId: uuidv7(),
          patientId: dose.patientId,
          doseNumber: 2,
          isBooster: false,
          fields: { ...dose.fields, injectedAt: at },
        },
        actor: { userId },
        at,
        deviceId,
        signingKey,
      })
      ms.push(performance.now() - started)
      if (!outcome.ok) refused.push(outcome.error)
    }
    return { ms, refused }
  },
  async storedJson() {
    let patientBytes = 0
    let stepBytes = 0
    await db().patients.each((row) => (patientBytes += JSON.stringify(row).length))
    await db().steps.each((row) => (stepBytes += JSON.stringify(row).length))
    const [patients, steps] = await Promise.all([db().patients.count(), db().steps.count()])
    return { patientBytes, stepBytes, patients, steps }
  },
}

;(window as unknown as BenchWindow).carnetBench = bench
document.title = 'Carnet device bench (ready)'
