// How the patient screen writes steps for people: titles, dates as JJ/MM/AAAA, authors (« Dr … », a delegate's
// « saisi par … pour le compte de … »), and every field of a step as a French label and value. Shared by the
// summary, the history and the tabs so the three never disagree.
import type { ExpectedStep } from '../../domain/steps/chain'
import { isIsoDate } from '../../domain/time/calendar'
import { professionalOf, type Step } from '../../domain/steps/step'
import { findVaccine } from '../../domain/vaccines/schedule'
import type { DoseFields, EligibilityFields } from '../../shared/commands'
import type { Actor } from '../../shared/primitives'
import type { UserRecord } from '../../shared/records'
import type { Catalogue } from '../../shared/vaccine'

/** The translate function of vue-i18n, as these helpers use it. */
export type Translate = (key: string, named?: Record<string, unknown>) => string

/** Writes 'YYYY-MM-DD' (or the day of an instant) as JJ/MM/AAAA. */
export function formatDate(iso: string): string {
  const [y, m, d] = iso.slice(0, 10).split('-')
  return `${d}/${m}/${y}`
}

/** Writes the local time of an instant as the person saw it (its own offset), HH:MM. */
export function formatTime(instant: string): string {
  return instant.slice(11, 16)
}

/** Writes a member's name, « Dr » before a médecin's; the bare id when the member is not known on this device. */
export function displayName(members: readonly UserRecord[], userId: string, t: Translate): string {
  const user = members.find((m) => m.id === userId)
  if (user === undefined) return userId
  if (user.profession === 'medecin' && !/^dr\.?\s/i.test(user.name))
    return t('steps.author.doctor', { name: user.name })
  return user.name
}

/** Writes who validated (or, for a delegate, entered for whom) and when. */
export function authorLine(members: readonly UserRecord[], actor: Actor, at: string, t: Translate): string {
  const name = displayName(members, professionalOf(actor), t)
  const when = { date: formatDate(at), time: formatTime(at) }
  if (actor.onBehalfOf === undefined || actor.onBehalfOf === actor.userId) {
    return t('steps.author.validatedBy', { name, ...when })
  }
  return t('steps.author.enteredFor', { name, delegate: displayName(members, actor.userId, t), ...when })
}

/** Names a slot of the chain: « Éligibilité vaccination », « 1ère vaccination », « 2ème vaccination », « Rappel ». */
export function slotTitle(
  slot: { kind: 'eligibility' } | { kind: 'dose'; doseNumber: number; isBooster: boolean },
  t: Translate,
): string {
  if (slot.kind === 'eligibility') return t('workflow.steps.eligibility')
  if (slot.isBooster) return t('workflow.steps.booster')
  if (slot.doseNumber === 1) return t('workflow.steps.dose1')
  if (slot.doseNumber === 2) return t('workflow.steps.dose2')
  return t('workflow.steps.doseN', { n: slot.doseNumber })
}

/** Names a recorded step, with its disease for a dose (several series may share a file). */
export function stepTitle(step: Step, t: Translate): string {
  if (step.kind === 'eligibility') return slotTitle(step, t)
  return t('steps.view.doseTab', {
    step: slotTitle(step, t),
    disease: t(`workflow.diseases.${step.targetDisease}`),
  })
}

/** Names the open next step of the chain. */
export function expectedTitle(expected: ExpectedStep, t: Translate): string {
  if (expected.kind === 'eligibility') return slotTitle(expected, t)
  const title = slotTitle(expected, t)
  return expected.targetDisease === null
    ? title
    : t('steps.view.doseTab', { step: title, disease: t(`workflow.diseases.${expected.targetDisease}`) })
}

/** Writes a vaccine as « Comirnaty (Pfizer-BioNTech) », or its id when the catalogue does not know it. */
export function vaccineLabel(catalogue: Catalogue, vaccineId: string, t: Translate): string {
  const vaccine = findVaccine(catalogue, vaccineId)
  return vaccine === undefined
    ? vaccineId
    : t('steps.dose.vaccineOption', { name: vaccine.name, manufacturer: vaccine.manufacturer })
}

/** One line of a summary: a field's key (stable, for diffs), its French label and its value as shown. */
export type FieldRow = { key: string; label: string; value: string }

/** Writes every field of an eligibility declaration. */
export function eligibilityRows(fields: EligibilityFields, t: Translate): FieldRow[] {
  const yesNo = (b: boolean) => (b ? t('steps.form.yes') : t('steps.form.no'))
  const label = (key: string) => t(`steps.summary.fields.${key}`)
  const rows: FieldRow[] = [
    {
      key: 'declarantIsPrescriber',
      label: label('declarantIsPrescriber'),
      value: yesNo(fields.declarantIsPrescriber),
    },
    { key: 'prescriberName', label: label('prescriberName'), value: fields.prescriber.name },
    {
      key: 'prescriberProfession',
      label: label('prescriberProfession'),
      value: t(`workflow.professions.${fields.prescriber.profession}`),
    },
  ]
  if (fields.prescriber.rpps !== undefined)
    rows.push({ key: 'prescriberRpps', label: label('prescriberRpps'), value: fields.prescriber.rpps })
  if (fields.prescriber.adeli !== undefined)
    rows.push({ key: 'prescriberAdeli', label: label('prescriberAdeli'), value: fields.prescriber.adeli })
  rows.push(
    { key: 'prescriptionDate', label: label('prescriptionDate'), value: formatDate(fields.prescriptionDate) },
    {
      key: 'patientIsHealthProfessional',
      label: label('patientIsHealthProfessional'),
      value: yesNo(fields.patientIsHealthProfessional),
    },
  )
  if (fields.patientMainActivity !== undefined)
    rows.push({
      key: 'patientMainActivity',
      label: label('patientMainActivity'),
      value: t(`workflow.activities.${fields.patientMainActivity}`),
    })
  if (fields.patientProfession !== undefined)
    rows.push({
      key: 'patientProfession',
      label: label('patientProfession'),
      value: t(`workflow.professions.${fields.patientProfession}`),
    })
  rows.push(
    { key: 'patientConsents', label: label('patientConsents'), value: yesNo(fields.patientConsents) },
    {
      key: 'declarantAcceptsTransmission',
      label: label('declarantAcceptsTransmission'),
      value: yesNo(fields.declarantAcceptsTransmission),
    },
  )
  return rows
}

/** Writes every field of a dose (the dose number comes from the step's slot). */
export function doseRows(
  fields: DoseFields,
  slot: { doseNumber: number; isBooster: boolean },
  ctx: { catalogue: Catalogue; members: readonly UserRecord[]; t: Translate },
): FieldRow[] {
  const { t } = ctx
  const label = (key: string) => t(`steps.summary.fields.${key}`)
  const dose = t('steps.dose.doseNumberValue', { n: slot.doseNumber })
  const rows: FieldRow[] = [
    { key: 'vaccine', label: label('vaccine'), value: vaccineLabel(ctx.catalogue, fields.vaccineId, t) },
    { key: 'lotNumber', label: label('lotNumber'), value: fields.lotNumber },
  ]
  if (fields.lotExpiry !== undefined)
    rows.push({ key: 'lotExpiry', label: label('lotExpiry'), value: formatDate(fields.lotExpiry) })
  rows.push(
    {
      key: 'doseNumber',
      label: label('doseNumber'),
      value: slot.isBooster ? `${dose} — ${t('steps.dose.booster')}` : dose,
    },
    {
      key: 'injectionSite',
      label: label('injectionSite'),
      value: t(`workflow.sites.${fields.injectionSite}`),
    },
    { key: 'route', label: label('route'), value: t(`workflow.routes.${fields.route}`) },
    {
      key: 'injectedAt',
      label: label('injectedAt'),
      value: t('steps.summary.dateTime', {
        date: formatDate(fields.injectedAt),
        time: formatTime(fields.injectedAt),
      }),
    },
    {
      key: 'vaccinator',
      label: label('vaccinator'),
      value: displayName(ctx.members, fields.vaccinatorUserId, t),
    },
    { key: 'placeType', label: label('placeType'), value: t(`workflow.places.${fields.place.type}`) },
    { key: 'placePostalCode', label: label('placePostalCode'), value: fields.place.postalCode },
    { key: 'placeName', label: label('placeName'), value: fields.place.name },
  )
  if (fields.place.finess !== undefined)
    rows.push({ key: 'finess', label: label('finess'), value: fields.place.finess })
  if (fields.place.nam !== undefined) rows.push({ key: 'nam', label: label('nam'), value: fields.place.nam })
  return rows
}

/** Writes every field of one version of a step (by index, oldest first). */
export function versionRows(
  step: Step,
  index: number,
  ctx: { catalogue: Catalogue; members: readonly UserRecord[]; t: Translate },
): FieldRow[] {
  if (step.kind === 'eligibility') {
    const version = step.versions[index]
    return version === undefined ? [] : eligibilityRows(version.fields, ctx.t)
  }
  const version = step.versions[index]
  return version === undefined ? [] : doseRows(version.fields, step, ctx)
}

/** Gives the rows that differ between two versions (added, removed or changed), with both values. */
export function changedRows(
  before: readonly FieldRow[],
  after: readonly FieldRow[],
): { key: string; label: string; before: string | null; after: string | null }[] {
  const keys = [...new Set([...before.map((r) => r.key), ...after.map((r) => r.key)])]
  const changes: { key: string; label: string; before: string | null; after: string | null }[] = []
  for (const key of keys) {
    const b = before.find((r) => r.key === key)
    const a = after.find((r) => r.key === key)
    if (b?.value === a?.value) continue
    changes.push({ key, label: (a ?? b)?.label ?? key, before: b?.value ?? null, after: a?.value ?? null })
  }
  return changes
}

/** Gives the fields whose value differs between two versions of a step's fields (what a `step.amend` carries). */
export function changedFields<T extends object>(before: T, after: T): Partial<T> {
  const changes: Partial<T> = {}
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]) as Set<keyof T>
  for (const key of keys) {
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) changes[key] = after[key]
  }
  return changes
}

/** Explains a refusal of the recording path in the person's language, with the detail's names filled in. */
export function refusalMessage(
  refusal: { error: string; detail?: Readonly<Record<string, unknown>> | undefined },
  members: readonly UserRecord[],
  t: Translate,
): string {
  if (refusal.error === 'not-signed-in' || refusal.error === 'acting-for-required') {
    return t(`steps.errors.${refusal.error}`)
  }
  const detail = refusal.detail ?? {}
  const author = detail.author as { userId?: string; name?: string | null } | undefined
  const named: Record<string, unknown> = { ...detail }
  if (author !== undefined) {
    named.author = author.userId === undefined ? (author.name ?? '') : displayName(members, author.userId, t)
  }
  return t(`workflow.errors.${refusal.error}`, named)
}

function pad(n: number): string {
  return String(n).padStart(2, '0')
}

/** The device's local calendar day and time (HH:MM) now, as the date and time inputs expect them. */
export function localNowParts(now: Date = new Date()): { date: string; time: string } {
  return {
    date: `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`,
    time: `${pad(now.getHours())}:${pad(now.getMinutes())}`,
  }
}

/**
 * Writes a local date and time typed in the form as an instant with the device's offset for that day
 * (« 2026-03-04T10:15:00+01:00 »), as the protocol stores injection times; null when either is not valid.
 */
export function localInstant(date: string, time: string): string | null {
  if (!isIsoDate(date) || !/^([01]\d|2[0-3]):[0-5]\d$/.test(time)) return null
  const local = new Date(`${date}T${time}:00`)
  if (Number.isNaN(local.getTime())) return null
  const offset = -local.getTimezoneOffset()
  const sign = offset >= 0 ? '+' : '-'
  const abs = Math.abs(offset)
  return `${date}T${time}:00${sign}${pad(Math.trunc(abs / 60))}:${pad(abs % 60)}`
}

/** Gives a person's age in whole years on a calendar day. */
export function ageOn(birthDate: string, day: string): number {
  const years = Number(day.slice(0, 4)) - Number(birthDate.slice(0, 4))
  return day.slice(5, 10) < birthDate.slice(5, 10) ? years - 1 : years
}

/**
 * Tells whether the shorter booster interval applies (domain-reference.md: ≥ 80, EHPAD/USLD residents): age on
 * the day of the dose, or a dose given in an EHPAD or USLD. Only the "next dose from" hint depends on it.
 */
export function isHighRisk(birthDate: string, day: string, placeType?: string): boolean {
  return ageOn(birthDate, day) >= 80 || placeType === 'ehpad' || placeType === 'usld'
}
