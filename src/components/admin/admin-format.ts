// How the dashboard writes what the server sends: instants as JJ/MM/AAAA HH:MM in the reader's time zone,
// byte counts in Mo/Go, professions of accounts (health professions and staff), periods of role grants.
import type { AccountProfession, AdminGrant, AdminRejection } from '../../shared/admin-api'
import { PROFESSIONS } from '../../shared/vocabulary'
import { slotTitle, type Translate } from '../step/step-format'

function pad(n: number): string {
  return String(n).padStart(2, '0')
}

/** Writes an instant as the reader's local day, JJ/MM/AAAA. */
export function localDate(instant: string): string {
  const at = new Date(instant)
  return `${pad(at.getDate())}/${pad(at.getMonth() + 1)}/${at.getFullYear()}`
}

/** Writes an instant as the reader's local time, HH:MM. */
export function localTime(instant: string): string {
  const at = new Date(instant)
  return `${pad(at.getHours())}:${pad(at.getMinutes())}`
}

/** Writes an instant as « JJ/MM/AAAA à HH:MM ». */
export function localDateTime(instant: string, t: Translate): string {
  return t('admin.common.dateTime', { date: localDate(instant), time: localTime(instant) })
}

/** Writes a byte count for people: « 12,5 Mo », « 1,2 Go ». */
export function formatBytes(bytes: number, locale = 'fr'): string {
  const units = locale.startsWith('fr') ? ['o', 'Ko', 'Mo', 'Go', 'To'] : ['B', 'KB', 'MB', 'GB', 'TB']
  let value = bytes
  let unit = 0
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000
    unit += 1
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1
  return `${value.toLocaleString(locale, { maximumFractionDigits: digits })} ${units[unit]}`
}

/** Names an account's profession: a health profession of the annex, or a staff function. */
export function professionLabel(profession: AccountProfession, t: Translate): string {
  return (PROFESSIONS as readonly string[]).includes(profession)
    ? t(`workflow.professions.${profession}`)
    : t(`admin.users.staffProfessions.${profession}`)
}

/** The local day 'YYYY-MM-DD' of a Date (a form's default start date). */
export function localIsoDay(date: Date = new Date()): string {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`
}

/** The instant a local day starts ('YYYY-MM-DD' → ISO with the reader's offset), or null for a bad day. */
export function startOfLocalDay(day: string): string | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day)
  if (match === null) return null
  const date = new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]))
  if (localIsoDay(date) !== day) return null
  return date.toISOString()
}

/** Writes a grant's period: « depuis le JJ/MM/AAAA » or « du … au … » (the end day is the first day without the role). */
export function grantPeriod(grant: Pick<AdminGrant, 'startsAt' | 'endsAt'>, t: Translate): string {
  const start = localDate(grant.startsAt)
  return grant.endsAt === null
    ? t('admin.grants.from', { date: start })
    : t('admin.grants.fromTo', { start, end: localDate(grant.endsAt) })
}

/** Names the step a rejection concerns: « Éligibilité vaccination », « 1ère vaccination »… */
export function rejectionStepTitle(step: AdminRejection['step'], t: Translate): string | null {
  if (step === null || step.kind === null) return null
  if (step.kind === 'eligibility') return slotTitle({ kind: 'eligibility' }, t)
  return slotTitle({ kind: 'dose', doseNumber: step.doseNumber ?? 1, isBooster: false }, t)
}

/** The French reason of a rejection (workflow.errors.<code>), its placeholders filled from the detail. */
export function rejectionReason(rejection: Pick<AdminRejection, 'error' | 'detail'>, t: Translate): string {
  const params: Record<string, string> = {}
  for (const [key, value] of Object.entries(rejection.detail ?? {})) {
    if (typeof value === 'string' || typeof value === 'number') params[key] = String(value)
  }
  const author = rejection.detail?.author
  if (typeof author === 'object' && author !== null) {
    const name = (author as { name?: unknown }).name
    const userId = (author as { userId?: unknown }).userId
    params.author = typeof name === 'string' ? name : typeof userId === 'string' ? userId : ''
  }
  if (typeof rejection.detail?.at === 'string') params.at = localDateTime(rejection.detail.at, t)
  return t(`workflow.errors.${rejection.error}`, params)
}

/** Names a mutation type (« Enregistrement d’une étape »); i18n keys cannot hold its dot. */
export function mutationTypeLabel(type: string, t: Translate, te: (key: string) => boolean): string {
  const key = `admin.rejections.types.${type.replace('.', '-')}`
  return te(key) ? t(key) : type
}
