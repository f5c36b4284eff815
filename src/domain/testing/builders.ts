// Test builders with overrides (domain, shared, server and integration tests reuse them): a small organisation
// (two médecins, an infirmier, a secretary delegate for the first médecin), valid identifiers, a fixed `now`.
import type {
  DoseFields,
  EligibilityFields,
  Mutation,
  MutationOf,
  MutationType,
  PayloadOf,
} from '../../shared/commands'
import type { PatientRecord, RoleGrantRecord, StepRecord, UserRecord } from '../../shared/records'
import type { CommandState } from '../commands/apply-command'
import type { PatientFile } from '../patients/patient-file'
import { CATALOGUE } from '../vaccines/catalogue'

/** The fixed receipt time of domain tests. */
export const NOW = '2026-03-04T12:00:00+01:00'
/** A time of action well inside every test role's validity. */
export const AT = '2026-03-04T10:15:00+01:00'
/** The device of the builders' mutations. */
export const DEVICE_ID = 'dev-tablet-1'

/** Valid identifiers for fixtures (keys from domain-reference.md). */
export const VALID = {
  nir: '255081416802538',
  otherNir: '189127512501282',
  niss: '85073003328',
  rpps: '10012345673',
  finess: '010000016',
} as const

/** Ids of the builders' organisation. */
export const USERS = {
  medecin: 'u-medecin',
  medecin2: 'u-medecin-2',
  infirmier: 'u-infirmier',
  secretaire: 'u-secretaire',
  gestionnaire: 'u-gestionnaire',
} as const

/** Builds a user (a médecin by default). */
export function buildUser(overrides: Partial<UserRecord> = {}): UserRecord {
  return { id: USERS.medecin, name: 'Dr Martin', profession: 'medecin', rpps: VALID.rpps, ...overrides }
}

/** Builds a role grant (vaccinator from 2026-01-01, no end, by default). */
export function buildGrant(overrides: Partial<RoleGrantRecord> = {}): RoleGrantRecord {
  return {
    id: `g-${overrides.userId ?? USERS.medecin}-${overrides.role ?? 'vaccinator'}`,
    userId: USERS.medecin,
    role: 'vaccinator',
    startsAt: '2026-01-01T00:00:00+01:00',
    endsAt: null,
    actingFor: [],
    ...overrides,
  }
}

/** The builders' organisation: members. */
export function buildUsers(): UserRecord[] {
  return [
    buildUser(),
    buildUser({ id: USERS.medecin2, name: 'Dr Bernard' }),
    buildUser({ id: USERS.infirmier, name: 'Inès Petit', profession: 'infirmier' }),
    buildUser({ id: USERS.secretaire, name: 'Sam Leroy', profession: null, rpps: undefined }),
    buildUser({ id: USERS.gestionnaire, name: 'Gaëlle Roux', profession: null, rpps: undefined }),
  ]
}

/** The builders' organisation: grants (the secretary is a delegate for the first médecin only). */
export function buildGrants(): RoleGrantRecord[] {
  return [
    buildGrant({ userId: USERS.medecin }),
    buildGrant({ userId: USERS.medecin2 }),
    buildGrant({ userId: USERS.infirmier }),
    buildGrant({ userId: USERS.secretaire, role: 'delegate', actingFor: [USERS.medecin] }),
    buildGrant({ userId: USERS.gestionnaire, role: 'access-manager' }),
  ]
}

/** Builds a patient record (registered before the tests' `now`). */
export function buildPatient(overrides: Partial<PatientRecord> = {}): PatientRecord {
  const stamp = { at: '2026-02-01T09:00:00+01:00', deviceId: DEVICE_ID }
  return {
    id: 'p-1',
    version: 1,
    codeDeCiblage: '0123456789P',
    birthName: 'Dupré',
    firstNames: 'Éloïse',
    sex: 'female',
    birthDate: '1955-08-20',
    birthRank: 1,
    nir: VALID.nir,
    stamps: {
      birthName: stamp,
      firstNames: stamp,
      sex: stamp,
      birthDate: stamp,
      birthRank: stamp,
      nir: stamp,
    },
    createdAt: '2026-02-01T09:00:00+01:00',
    updatedAt: '2026-02-01T09:00:00+01:00',
    ...overrides,
  }
}

/** Builds eligibility fields (declarant is the prescriber, patient not a professional). */
export function buildEligibilityFields(overrides: Partial<EligibilityFields> = {}): EligibilityFields {
  return {
    declarantIsPrescriber: true,
    prescriber: { name: 'Dr Martin', profession: 'medecin', rpps: VALID.rpps },
    prescriptionDate: '2026-03-01',
    patientIsHealthProfessional: false,
    patientConsents: true,
    declarantAcceptsTransmission: true,
    ...overrides,
  }
}

/** Builds dose fields (Comirnaty, left deltoid, at the tests' action time, in an EHPAD). */
export function buildDoseFields(overrides: Partial<DoseFields> = {}): DoseFields {
  return {
    vaccineId: 'comirnaty',
    lotNumber: 'FK1234',
    injectionSite: 'deltoid-left',
    route: 'intramuscular',
    injectedAt: AT,
    vaccinatorUserId: USERS.medecin,
    place: { type: 'ehpad', postalCode: '75012', name: 'EHPAD Les Tilleuls', finess: VALID.finess },
    ...overrides,
  }
}

function version<F>(fields: F, at: string, actor: { userId: string; onBehalfOf?: string }, n = 1) {
  return { version: n, at, recordedAt: at, actor, deviceId: DEVICE_ID, mutationId: `m-built-${n}`, fields }
}

/** Builds a recorded eligibility step by the first médecin. */
export function buildEligibilityStep(
  overrides: Partial<Extract<StepRecord, { kind: 'eligibility' }>> = {},
): Extract<StepRecord, { kind: 'eligibility' }> {
  const author = overrides.author ?? { userId: USERS.medecin }
  const at = overrides.at ?? '2026-02-01T09:30:00+01:00'
  return {
    id: 's-elig',
    patientId: 'p-1',
    kind: 'eligibility',
    author,
    at,
    recordedAt: at,
    versions: [version(buildEligibilityFields(), at, author)],
    ...overrides,
  }
}

/** Builds a recorded dose step (dose 1 of Comirnaty by the first médecin); `fields` overrides the dose fields. */
export function buildDoseStep(
  overrides: Partial<Extract<StepRecord, { kind: 'dose' }>> & { fields?: Partial<DoseFields> } = {},
): Extract<StepRecord, { kind: 'dose' }> {
  const { fields, ...rest } = overrides
  const author = rest.author ?? { userId: USERS.medecin }
  const at = rest.at ?? '2026-02-01T10:00:00+01:00'
  const doseFields = buildDoseFields({ injectedAt: at, ...fields })
  return {
    id: `s-dose-${rest.doseNumber ?? 1}`,
    patientId: 'p-1',
    kind: 'dose',
    targetDisease: 'covid-19',
    doseNumber: 1,
    isBooster: false,
    author,
    at,
    recordedAt: at,
    versions: [version(doseFields, at, author)],
    ...rest,
  }
}

/** Builds a patient file (patient p-1, no steps by default). */
export function buildFile(overrides: Partial<PatientFile> = {}): PatientFile {
  return { patient: buildPatient(), steps: [], adverseEvents: [], ...overrides }
}

/** Builds the state applyCommand reads (the builders' organisation, the built-in catalogue, the given files). */
export function buildState(overrides: Partial<CommandState> = {}): CommandState {
  return {
    catalogue: CATALOGUE,
    users: buildUsers(),
    grants: buildGrants(),
    files: [buildFile()],
    ...overrides,
  }
}

let counter = 0

/** Builds a signed-looking mutation of a type (the signature is not checked by the domain). */
export function buildMutation<T extends MutationType>(
  type: T,
  payload: PayloadOf<T>,
  overrides: Partial<Omit<Mutation, 'type' | 'payload'>> = {},
): MutationOf<T> {
  counter += 1
  return {
    v: 1,
    id: `m-${counter}`,
    deviceId: DEVICE_ID,
    seq: counter,
    at: AT,
    actor: { userId: USERS.medecin },
    sig: 'c2ln',
    ...overrides,
    type,
    payload,
  } as MutationOf<T>
}
