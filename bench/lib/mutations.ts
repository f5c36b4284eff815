// Builds the mutations a device would queue for generated patients (register, eligibility, dose 1), signed as
// the PWA signs them: HMAC-SHA256 keyed by the deviceKey's raw bytes over the canonical envelope (RFC 8785).
import { createHmac } from 'node:crypto'
import type { Agent } from 'node:http'
import { signingInput } from '../../src/shared/canonical-json'
import type { DoseFields, EligibilityFields } from '../../src/shared/commands'
import type { PatientRecord, StepRecord } from '../../src/shared/records'
import { LoginResponseSchema } from '../../src/shared/sync-api'
import { uuidv7 } from '../../src/sync/ids'
import { httpJson } from './http'

/** A device signed in through the real login: what the PWA keeps to push and pull. */
export type BenchDevice = {
  deviceId: string
  deviceToken: string
  deviceKey: string
  userId: string
  nextSeq: number
  cursor: string
}

/** Signs in through `POST /api/auth/login`, registering a new device (optionally from a 127.0.0.x address). */
export async function signInDevice(
  baseUrl: string,
  login: string,
  password: string,
  options: { localAddress?: string; agent?: Agent } = {},
): Promise<BenchDevice> {
  const deviceId = uuidv7()
  const answer = await httpJson(`${baseUrl}/api/auth/login`, {
    body: { login, password, deviceId, deviceName: `Bench ${deviceId.slice(-6)}` },
    ...options,
  })
  if (answer.status !== 200) throw new Error(`login ${login}: ${answer.status} ${answer.text}`)
  const session = LoginResponseSchema.parse(JSON.parse(answer.text))
  if (session.deviceToken === undefined) throw new Error(`login ${login}: no device token`)
  return {
    deviceId,
    deviceToken: session.deviceToken,
    deviceKey: session.deviceKey,
    userId: session.user.id,
    nextSeq: 1,
    cursor: '',
  }
}

/** The next envelope of a device, signed (seq from the device's counter). */
export function signedMutation(
  device: BenchDevice,
  type: string,
  payload: Record<string, unknown>,
  at: string,
): Record<string, unknown> {
  const envelope = {
    v: 1,
    id: uuidv7(),
    deviceId: device.deviceId,
    seq: device.nextSeq,
    at,
    actor: { userId: device.userId },
    type,
    payload,
  }
  device.nextSeq += 1
  const sig = createHmac('sha256', Buffer.from(device.deviceKey, 'base64'))
    .update(signingInput(envelope), 'utf8')
    .digest('base64')
  return { ...envelope, sig }
}

function registerPayload(patient: PatientRecord): Record<string, unknown> {
  const identity: Record<string, unknown> = {
    birthName: patient.birthName,
    firstNames: patient.firstNames,
    sex: patient.sex,
    birthDate: patient.birthDate,
    birthRank: patient.birthRank,
  }
  for (const key of ['usualName', 'nir', 'niss', 'nirOuvrantDroit'] as const) {
    if (patient[key] !== undefined) identity[key] = patient[key]
  }
  const contact: Record<string, unknown> = {}
  for (const key of ['address', 'postalCode', 'commune', 'phone', 'email'] as const) {
    if (patient[key] !== undefined) contact[key] = patient[key]
  }
  return { patientId: patient.id, codeDeCiblage: patient.codeDeCiblage, identity, contact }
}

/**
 * The three mutations of a new patient seen by a vaccinator: register, eligibility, dose 1 (fields from the
 * generator's steps; the vaccinator is the signed-in user, the injection is at `at`).
 */
export function patientMutations(
  device: BenchDevice,
  patient: PatientRecord,
  steps: readonly StepRecord[],
  at: string,
): Record<string, unknown>[] {
  const eligibility = steps.find((s) => s.kind === 'eligibility')
  const dose = steps.find((s) => s.kind === 'dose')
  if (eligibility === undefined || dose === undefined) throw new Error(`patient ${patient.id}: steps missing`)
  const eligibilityFields = eligibility.versions[0]?.fields as EligibilityFields
  const doseFields = {
    ...(dose.versions[0]?.fields as DoseFields),
    injectedAt: at,
    vaccinatorUserId: device.userId,
  }
  return [
    signedMutation(device, 'patient.register', registerPayload(patient), at),
    signedMutation(
      device,
      'step.record',
      { kind: 'eligibility', stepId: uuidv7(), patientId: patient.id, fields: eligibilityFields },
      at,
    ),
    signedMutation(
      device,
      'step.record',
      {
        kind: 'dose',
        stepId: uuidv7(),
        patientId: patient.id,
        doseNumber: 1,
        isBooster: false,
        fields: doseFields,
      },
      at,
    ),
  ]
}

/** Groups the generator's steps by patient. */
export function stepsByPatient(steps: readonly StepRecord[]): Map<string, StepRecord[]> {
  const map = new Map<string, StepRecord[]>()
  for (const step of steps) {
    const list = map.get(step.patientId)
    if (list === undefined) map.set(step.patientId, [step])
    else list.push(step)
  }
  return map
}

/** The headers every push and pull of the PWA carries (sync-protocol.md, Device state). */
export function deviceHeaders(device: BenchDevice, pending: number): Record<string, string> {
  return {
    authorization: `Bearer ${device.deviceToken}`,
    'x-carnet-pending': String(pending),
    'x-carnet-app-version': 'bench',
    'x-carnet-storage': '1000000/100000000',
  }
}
