// Pieces every document shares: the header band, the patient's identity and code de ciblage, the professional,
// the adverse-effect link, the signature area and the footer. Pure: no jsPDF here, so the layout is testable.
import { formatDate, formatTime } from '../../components/step/step-format'
import { normalizeIdentifier } from '../../domain/identifiers/normalize'
import type { PatientRecord, UserRecord } from '../../shared/records'
import { french } from '../french'
import type { DocumentSource } from '../types'
import { ADVERSE_EFFECT_PORTAL, TEXTS } from './texts'

/** One printed line of a section: a French label and its value as shown. */
export type LabelValue = { key: string; label: string; value: string }

/** A titled group of label/value lines. */
export type DocumentSection = { title: string; rows: LabelValue[] }

/** The header band: « Carnet » and the organisation that prints. */
export type DocumentHeader = { brand: string; tagline: string; organisation: string; organisationId?: string }

/** The parts every document ends with. */
export type DocumentClosing = {
  adverseEffect: { text: string; url: string }
  signature: { sentence: string; boxes: readonly string[] }
  /** « Document généré le … », repeated in each page's footer. */
  generated: string
}

/** Fills `{name}` placeholders of a document text. */
export function fill(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    values[name] === undefined ? whole : String(values[name]),
  )
}

/** Writes a NIR in its printed groups: « 2 55 08 14 168 025 38 ». */
export function formatNir(nir: string): string {
  const n = normalizeIdentifier(nir)
  if (n.length < 13) return n
  const groups = [n.slice(0, 1), n.slice(1, 3), n.slice(3, 5), n.slice(5, 7), n.slice(7, 10), n.slice(10, 13)]
  if (n.length > 13) groups.push(n.slice(13))
  return groups.join(' ')
}

/** Writes a NISS as the Belgian card prints it: « 85.07.30-033.28 ». */
export function formatNiss(niss: string): string {
  const n = normalizeIdentifier(niss)
  if (n.length !== 11) return n
  return `${n.slice(0, 2)}.${n.slice(2, 4)}.${n.slice(4, 6)}-${n.slice(6, 9)}.${n.slice(9)}`
}

/** Gives the header band of a document. */
export function headerOf(source: DocumentSource): DocumentHeader {
  const { name, finess } = source.organisation
  return {
    brand: TEXTS.brand,
    tagline: TEXTS.tagline,
    organisation: name,
    ...(finess === undefined ? {} : { organisationId: fill(TEXTS.finess, { finess }) }),
  }
}

/** Gives the patient's identity lines (the code de ciblage is printed apart, in its own box). */
export function identityRows(patient: PatientRecord): LabelValue[] {
  const t = TEXTS.identity
  const rows: LabelValue[] = [
    { key: 'birthName', label: t.birthName, value: patient.birthName.toUpperCase() },
  ]
  if (patient.usualName !== undefined) {
    rows.push({ key: 'usualName', label: t.usualName, value: patient.usualName.toUpperCase() })
  }
  rows.push(
    { key: 'firstNames', label: t.firstNames, value: patient.firstNames },
    { key: 'sex', label: t.sex, value: french(`workflow.sexes.${patient.sex}`) },
    { key: 'birthDate', label: t.birthDate, value: formatDate(patient.birthDate) },
    { key: 'birthRank', label: t.birthRank, value: String(patient.birthRank) },
  )
  if (patient.nir !== undefined) rows.push({ key: 'nir', label: t.nir, value: formatNir(patient.nir) })
  if (patient.nirOuvrantDroit !== undefined) {
    rows.push({ key: 'nirOuvrantDroit', label: t.nirOuvrantDroit, value: formatNir(patient.nirOuvrantDroit) })
  }
  if (patient.niss !== undefined) rows.push({ key: 'niss', label: t.niss, value: formatNiss(patient.niss) })
  return rows
}

/** The members as the screen helpers take them. */
export function membersOf(source: DocumentSource): UserRecord[] {
  return [...source.users.values()]
}

/** Gives a professional's identification lines: profession and national numbers, when known on this device. */
export function professionalRows(user: UserRecord | undefined): LabelValue[] {
  if (user === undefined) return []
  const t = TEXTS.professional
  const rows: LabelValue[] = []
  if (user.profession !== null) {
    rows.push({
      key: 'profession',
      label: t.profession,
      value: french(`workflow.professions.${user.profession}`),
    })
  }
  if (user.rpps !== undefined) rows.push({ key: 'rpps', label: t.rpps, value: user.rpps })
  if (user.adeli !== undefined) rows.push({ key: 'adeli', label: t.adeli, value: user.adeli })
  if (user.inami !== undefined) rows.push({ key: 'inami', label: t.inami, value: user.inami })
  return rows
}

/** Gives the closing parts: adverse-effect link, signature area, generation line. */
export function closingOf(source: DocumentSource): DocumentClosing {
  const when = { date: formatDate(source.generatedAt), time: formatTime(source.generatedAt) }
  return {
    adverseEffect: { text: TEXTS.adverseEffect, url: ADVERSE_EFFECT_PORTAL },
    signature: { sentence: french('workflow.steps.signBeforeHandingOver'), boxes: TEXTS.signatureBoxes },
    generated:
      source.generatedBy === undefined
        ? fill(TEXTS.generated, when)
        : fill(TEXTS.generatedBy, { ...when, name: source.generatedBy.name }),
  }
}
