// The French (or English) sentence of a dashboard failure: the admin API's own codes (admin.errors.*), the
// shared wire codes (workflow.errors.*), « Votre rôle ne permet pas … » with the permission it needs.
import { MIN_PASSWORD_LENGTH } from '../../shared/admin-api'
import type { AdminFailure } from '../../stores/admin'
import type { Translate } from '../step/step-format'

/** The i18n lookups the sentence needs. */
export type Messages = { t: Translate; te: (key: string) => boolean }

function named(detail: Record<string, unknown> | undefined): Record<string, string> {
  const params: Record<string, string> = {}
  for (const [key, value] of Object.entries(detail ?? {})) {
    if (typeof value === 'string' || typeof value === 'number') params[key] = String(value)
  }
  return params
}

/** Writes a failure for the person: what went wrong and, when it helps, what to do. */
export function adminErrorText(failure: AdminFailure, { t, te }: Messages): string {
  if (failure.code === 'forbidden') {
    const need = failure.detail?.need
    if (typeof need === 'string') {
      const key = `admin.permissions.${need}`
      return t('admin.errors.forbiddenNeed', { need: te(key) ? t(key) : need })
    }
    return t('admin.errors.forbidden')
  }
  // Both carry the identifier rule's code: « la clé du numéro FINESS est incorrecte » says what to check.
  const isIdentifier =
    failure.code === 'invalid-professional-id' || failure.code === 'invalid-organisation-id'
  if (isIdentifier && typeof failure.detail?.reason === 'string') {
    const key = `identifiers.${failure.detail.reason}`
    if (te(key)) return t(key)
  }
  const params = named(failure.detail)
  if (failure.code === 'password-too-short' && params.min === undefined)
    params.min = String(MIN_PASSWORD_LENGTH)
  const own = `admin.errors.${failure.code}`
  if (te(own)) return t(own, params)
  const shared = `workflow.errors.${failure.code}`
  if (te(shared)) return t(shared, params)
  return t('admin.errors.server')
}
