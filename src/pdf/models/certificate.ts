// The layout model of the vaccination certificate (« Bilan de vaccination »): every dose of the file, and a QR code
// carrying the EU Digital COVID Certificate's vaccination fields as plain JSON (domain-reference.md). Carnet does
// not sign it — a national service issues signed certificates — and says so under the code. While a dose is still
// waiting in the outbox the certificate is marked provisional: the server may yet refuse it.
import { displayName, formatDate, vaccineLabel } from '../../components/step/step-format'
import { seriesVaccineId } from '../../domain/steps/chain'
import { currentVersion, type DoseStep } from '../../domain/steps/step'
import { compareInstants, localDateOf } from '../../domain/time/calendar'
import { findVaccine } from '../../domain/vaccines/schedule'
import type { PatientRecord } from '../../shared/records'
import type { Vaccine } from '../../shared/vaccine'
import { TARGET_DISEASES } from '../../shared/vocabulary'
import { french } from '../french'
import type { DocumentSource } from '../types'
import {
  closingOf,
  fill,
  headerOf,
  identityRows,
  membersOf,
  type DocumentClosing,
  type DocumentHeader,
  type DocumentSection,
} from './common'
import { TEXTS } from './texts'

/** One line of the certificate's dose table, every cell as printed. */
export type CertificateDose = {
  stepId: string
  date: string
  vaccine: string
  disease: string
  lot: string
  dose: string
  site: string
  professional: string
  place: string
  isAcknowledged: boolean
}

/** One vaccination entry of the EU DCC schema (`v`), unsigned. */
export type DccVaccination = {
  tg: string
  vp: string
  mp: string
  ma: string
  dn: number
  sd: number
  dt: string
  co: string
  is: string
  ci: string
}

/** The EU DCC-style payload the QR code carries. */
export type DccPayload = {
  ver: '1.3.0'
  nam: { fn: string; fnt: string; gn: string; gnt: string }
  dob: string
  v: DccVaccination[]
}

/** Everything the certificate prints, in reading order. */
export type CertificateModel = {
  header: DocumentHeader
  title: string
  /** « PROVISOIRE — doses non encore transmises » while a dose is not acknowledged by the server. */
  provisional?: { mark: string; hint: string }
  code: { label: string; value: string; hint: string }
  identity: DocumentSection
  doses: { title: string; columns: string[]; rows: CertificateDose[]; empty: string }
  qr: { title: string; payload: DccPayload; text: string; caption: string }
  closing: DocumentClosing
}

// The EU DCC schema caps names, transliterations and the issuer at 80 characters.
const DCC_MAX_LENGTH = 80

// EU DCC value sets: marketing-authorisation holders of the authorised COVID-19 vaccines Carnet knows by number.
const DCC_HOLDERS: Readonly<Record<string, string>> = {
  'EU/1/20/1528': 'ORG-100030215',
  'EU/1/20/1507': 'ORG-100031184',
  'EU/1/21/1529': 'ORG-100001699',
  'EU/1/20/1525': 'ORG-100001417',
}

// EU DCC "vaccine or prophylaxis": SNOMED CT for mRNA and antigen COVID-19 vaccines, ATC J07BX03 otherwise;
// other diseases by their ATC group.
function prophylaxisOf(vaccine: Vaccine | undefined, disease: DoseStep['targetDisease']): string {
  if (disease === 'covid-19') {
    if (vaccine?.platform === 'mrna') return '1119349007'
    if (vaccine?.platform === 'protein-subunit') return '1119305005'
    return 'J07BX03'
  }
  const atc = { influenza: 'J07BB', pneumococcal: 'J07AL', zoster: 'J07BK', rsv: 'J07BX' } as const
  return atc[disease]
}

/** Writes a name the ICAO 9303 way of the DCC's `fnt`/`gnt`: A–Z only, accents dropped, apostrophes omitted, other signs as `<`. */
export function icaoTransliteration(name: string): string {
  return name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/Æ/gi, 'AE')
    .replace(/Œ/gi, 'OE')
    .replace(/Ø/gi, 'OE')
    .replace(/ß/g, 'SS')
    .replace(/['’]/g, '')
    .toUpperCase()
    .replace(/[^A-Z]+/g, '<')
    .replace(/^<+|<+$/g, '')
    .slice(0, DCC_MAX_LENGTH)
}

function certificateId(stepId: string): string {
  return `URN:UVCI:01:FR:CARNET/${stepId.toUpperCase().replace(/[^A-Z0-9]/g, '')}`
}

function seriesDoses(vaccine: Vaccine | undefined, step: DoseStep): number {
  const primary = vaccine?.dosesInPrimarySeries ?? 0
  return step.isBooster ? Math.max(step.doseNumber, primary) : Math.max(primary, step.doseNumber)
}

/** Builds the EU DCC-style vaccination payload of a patient's doses (unsigned, plain JSON). */
export function dccPayloadOf(
  patient: PatientRecord,
  doses: readonly { step: DoseStep; seriesVaccine: Vaccine | undefined; vaccine: Vaccine | undefined }[],
  issuer: string,
): DccPayload {
  return {
    ver: '1.3.0',
    nam: {
      fn: patient.birthName.slice(0, DCC_MAX_LENGTH),
      fnt: icaoTransliteration(patient.birthName),
      gn: patient.firstNames.slice(0, DCC_MAX_LENGTH),
      gnt: icaoTransliteration(patient.firstNames),
    },
    dob: patient.birthDate,
    v: doses.map(({ step, seriesVaccine, vaccine }) => {
      const fields = currentVersion(step).fields
      const product = vaccine?.euAuthorisation ?? vaccine?.name ?? fields.vaccineId
      return {
        tg: TARGET_DISEASES[step.targetDisease].snomed,
        vp: prophylaxisOf(vaccine, step.targetDisease),
        mp: product,
        ma: DCC_HOLDERS[product] ?? vaccine?.manufacturer ?? '',
        dn: step.doseNumber,
        sd: seriesDoses(seriesVaccine, step),
        dt: localDateOf(fields.injectedAt),
        co: 'FR',
        is: issuer.slice(0, DCC_MAX_LENGTH),
        ci: certificateId(step.id),
      }
    }),
  }
}

/** Builds the certificate of the source's file: every dose in injection order, provisional while one is unacknowledged. */
export function buildCertificateModel(source: DocumentSource): CertificateModel {
  const members = membersOf(source)
  const doses = source.steps
    .filter((s): s is DoseStep => s.kind === 'dose')
    .sort((a, b) => compareInstants(currentVersion(a).fields.injectedAt, currentVersion(b).fields.injectedAt))
    .map((step) => {
      const fields = currentVersion(step).fields
      const vaccine = findVaccine(source.catalogue, fields.vaccineId)
      const seriesId = step.isBooster
        ? fields.vaccineId
        : (seriesVaccineId(source, step.targetDisease) ?? fields.vaccineId)
      return { step, fields, vaccine, seriesVaccine: findVaccine(source.catalogue, seriesId) }
    })
  const rows: CertificateDose[] = doses.map(({ step, fields, seriesVaccine }) => {
    const total = seriesDoses(seriesVaccine, step)
    return {
      stepId: step.id,
      date: formatDate(fields.injectedAt),
      vaccine: vaccineLabel(source.catalogue, fields.vaccineId, french),
      disease: french(`workflow.diseases.${step.targetDisease}`),
      lot: fields.lotNumber.toUpperCase(),
      dose: step.isBooster
        ? fill(TEXTS.doseBooster, { n: step.doseNumber })
        : fill(TEXTS.doseOf, { n: step.doseNumber, total }),
      site: french(`workflow.sites.${fields.injectionSite}`),
      professional: displayName(members, fields.vaccinatorUserId, french),
      place: `${fields.place.name} (${fields.place.postalCode})`,
      isAcknowledged: source.acknowledged.has(step.id),
    }
  })
  const payload = dccPayloadOf(source.patient, doses, source.organisation.name)
  const t = TEXTS.dosesTable
  const model: CertificateModel = {
    header: headerOf(source),
    title: TEXTS.certificateTitle,
    code: {
      label: french('steps.summary.code'),
      value: source.patient.codeDeCiblage,
      hint: french('steps.summary.codeHint'),
    },
    identity: { title: TEXTS.sections.patient, rows: identityRows(source.patient) },
    doses: {
      title: TEXTS.sections.doses,
      columns: [t.date, t.vaccine, t.lot, t.dose, t.site, t.professional, t.place],
      rows,
      empty: TEXTS.noDose,
    },
    qr: { title: TEXTS.sections.qr, payload, text: JSON.stringify(payload), caption: TEXTS.qrCaption },
    closing: closingOf(source),
  }
  if (rows.some((r) => !r.isAcknowledged))
    model.provisional = { mark: TEXTS.provisional, hint: TEXTS.provisionalHint }
  return model
}
