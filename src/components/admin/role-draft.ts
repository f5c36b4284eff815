// A role to grant as the form holds it (days typed in date fields), its checks with the messages shown next to
// each field, and the request the server receives (instants at the start of the reader's local days, the end
// exclusive: « jusqu'au 15/03 » means the role stops when 15/03 begins).
import type { GrantRoleRequest } from '../../shared/admin-api'
import type { Role } from '../../shared/vocabulary'
import type { Translate } from '../step/step-format'
import { startOfLocalDay } from './admin-format'

/** The form's state of one role. */
export type RoleDraft = { role: Role | ''; startsAt: string; endsAt: string; actingFor: string[] }

/** The messages of a role draft's fields ('' when the field is fine). */
export type RoleDraftErrors = { role: string; startsAt: string; endsAt: string; actingFor: string }

/** A new draft starting on `today` ('YYYY-MM-DD'). */
export function emptyRoleDraft(today: string, role: Role | '' = ''): RoleDraft {
  return { role, startsAt: today, endsAt: '', actingFor: [] }
}

/** Checks a draft: a role, a valid start, an end after the start, a delegate's professional(s). */
export function checkRoleDraft(draft: RoleDraft, t: Translate): RoleDraftErrors {
  const errors: RoleDraftErrors = { role: '', startsAt: '', endsAt: '', actingFor: '' }
  if (draft.role === '') errors.role = t('admin.validation.roleRequired')
  const start = startOfLocalDay(draft.startsAt)
  if (draft.startsAt === '') errors.startsAt = t('admin.validation.required')
  else if (start === null) errors.startsAt = t('admin.validation.date')
  if (draft.endsAt !== '') {
    const end = startOfLocalDay(draft.endsAt)
    if (end === null) errors.endsAt = t('admin.validation.date')
    else if (start !== null && end <= start) errors.endsAt = t('admin.validation.endBeforeStart')
  }
  if (draft.role === 'delegate' && draft.actingFor.length === 0) {
    errors.actingFor = t('admin.validation.actingForRequired')
  }
  return errors
}

/** Tells whether a draft's check found nothing. */
export function isDraftValid(errors: RoleDraftErrors): boolean {
  return Object.values(errors).every((message) => message === '')
}

/** The grant request of a checked draft. */
export function toGrantRequest(draft: RoleDraft): GrantRoleRequest {
  const startsAt = startOfLocalDay(draft.startsAt)
  if (draft.role === '' || startsAt === null) throw new Error('toGrantRequest needs a checked draft')
  const endsAt = draft.endsAt === '' ? null : startOfLocalDay(draft.endsAt)
  return {
    role: draft.role,
    startsAt,
    ...(endsAt === null ? {} : { endsAt }),
    ...(draft.role === 'delegate' ? { actingFor: [...draft.actingFor] } : {}),
  }
}
