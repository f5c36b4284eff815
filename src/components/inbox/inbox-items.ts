// The « À traiter » inbox as data: which rejected mutations belong to the signed-in person, what each concerns
// (patient, step), who holds the lock and when they recorded, which actions make sense, and the parameters of
// its French reason (workflow.errors.<code>). Pure, so the store, the view and the tests share it.
import type { Mutation, MutationType } from '../../shared/commands'
import type { RuleErrorCode } from '../../shared/errors'
import type { PatientRecord, RejectionRecord, RejectionResolution, UserRecord } from '../../shared/records'
import { patientDisplayName } from '../patient/format'
import { formatDate, formatTime, slotTitle, type Translate } from '../step/step-format'

/** What the person can do with a rejection (each recorded on the server as a resolution). */
export type InboxAction = 'discard' | 're-enter' | 'request-correction'

/** The resolution each action records. */
export const RESOLUTION_OF: Record<InboxAction, RejectionResolution> = {
  discard: 'discarded',
  're-enter': 're-entered',
  'request-correction': 'correction-requested',
}

/** A stored rejection, with the action the person took on this device while it waits to be sent. */
export type InboxRejection = RejectionRecord & { pendingResolution?: unknown }

/** One inbox line. */
export type InboxItem = {
  id: string
  error: RuleErrorCode
  type: MutationType
  rejectedAt: string
  /** When the person acted (the mutation's `at`). */
  at: string
  patientId?: string
  /** « DUPRÉ Éloïse », when the patient is on this device. */
  patientName?: string
  step?: { kind: 'eligibility' } | { kind: 'dose'; doseNumber: number; isBooster: boolean }
  /** The professional who holds the lock or recorded the step first. */
  holder?: { userId: string; name: string }
  /** When the holder recorded the step (the step's time of action). */
  heldSince?: string
  actions: InboxAction[]
  detail: Record<string, unknown>
  /**
   * A change set aside because its signature did not match (`signature-mismatch`) whose entry is still in this
   * device's outbox: it can be exported, sealed, for the sync administrator.
   */
  canExport?: boolean
}

// Rejections whose cause the person can fix by entering the change again (after checking the file).
const RE_ENTERABLE: ReadonlySet<RuleErrorCode> = new Set<RuleErrorCode>([
  'step-already-recorded',
  'previous-step-missing',
  'invalid-identifier',
  'invalid-fields',
  'identity-conflict',
  'duplicate-id',
  'unknown-vaccine',
  'vaccine-mismatch',
  'booster-only-vaccine',
  'single-dose-series',
  'series-complete',
  'injection-in-future',
  'duplicate-injection-site',
  'stale-base-version',
  'step-kind-mismatch',
  'action-in-future',
])

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined
}

/** Tells whether a rejection is this person's: they acted, or a delegate acted on their behalf, or for whom they act. */
export function isMine(mutation: Mutation, userId: string, actingFor: readonly string[] = []): boolean {
  const { actor } = mutation
  if (actor.userId === userId || actor.onBehalfOf === userId) return true
  return (
    actingFor.includes(actor.userId) ||
    (actor.onBehalfOf !== undefined && actingFor.includes(actor.onBehalfOf))
  )
}

function stepOf(mutation: Mutation): InboxItem['step'] {
  if (mutation.type === 'step.record') {
    const p = mutation.payload
    return p.kind === 'eligibility'
      ? { kind: 'eligibility' }
      : { kind: 'dose', doseNumber: p.doseNumber, isBooster: p.isBooster }
  }
  return undefined
}

function holderOf(
  detail: Record<string, unknown>,
  users: ReadonlyMap<string, UserRecord>,
): InboxItem['holder'] {
  const author = record(detail.author)
  const userId = text(author?.userId)
  if (userId === undefined) return undefined
  return { userId, name: text(author?.name) ?? users.get(userId)?.name ?? userId }
}

/** Which actions fit a rejection: always « Ignorer »; « Saisir à nouveau » when re-entering can succeed; a correction request when someone holds the step. */
export function actionsFor(error: RuleErrorCode, hasHolder: boolean): InboxAction[] {
  const actions: InboxAction[] = []
  if (RE_ENTERABLE.has(error)) actions.push('re-enter')
  if (hasHolder && (error === 'step-locked-by-author' || error === 'step-already-recorded'))
    actions.push('request-correction')
  actions.push('discard')
  return actions
}

/**
 * Builds the inbox of `userId`: their unresolved rejections, newest first. A rejection leaves it only when the
 * person acted (a resolution, or one waiting on this device to be sent).
 */
export function buildInboxItems(
  rejections: readonly InboxRejection[],
  context: {
    userId: string
    actingFor?: readonly string[]
    patients: ReadonlyMap<string, PatientRecord>
    users: ReadonlyMap<string, UserRecord>
    /** Ids of rejected mutations whose outbox entry is on this device. */
    inOutbox?: ReadonlySet<string>
  },
): InboxItem[] {
  return rejections
    .filter((r) => r.resolution === undefined && r.pendingResolution === undefined)
    .filter((r) => isMine(r.mutation, context.userId, context.actingFor))
    .map((r): InboxItem => {
      const detail = r.detail ?? {}
      const patientId = text((r.mutation.payload as { patientId?: unknown }).patientId)
      const patient = patientId === undefined ? undefined : context.patients.get(patientId)
      const holder = holderOf(detail, context.users)
      const heldSince = text(detail.at)
      const step = stepOf(r.mutation)
      return {
        id: r.id,
        error: r.error,
        type: r.mutation.type,
        rejectedAt: r.rejectedAt,
        at: r.mutation.at,
        ...(patientId === undefined ? {} : { patientId }),
        ...(patient === undefined ? {} : { patientName: patientDisplayName(patient) }),
        ...(step === undefined ? {} : { step }),
        ...(holder === undefined ? {} : { holder }),
        ...(heldSince === undefined ? {} : { heldSince }),
        actions: actionsFor(r.error, holder !== undefined),
        detail,
        ...(r.error === 'signature-mismatch' && context.inOutbox?.has(r.id) === true
          ? { canExport: true }
          : {}),
      }
    })
    .sort((a, b) => b.rejectedAt.localeCompare(a.rejectedAt))
}

/** The named parameters of workflow.errors.<code> for an item ({author}, {at}, {field}, {expected}). */
export function reasonParams(item: InboxItem): Record<string, string> {
  const params: Record<string, string> = {}
  for (const [key, value] of Object.entries(item.detail)) {
    if (typeof value === 'string' || typeof value === 'number') params[key] = String(value)
  }
  if (item.holder !== undefined) params.author = item.holder.name
  const at = text(item.detail.at)
  if (at !== undefined) params.at = `${formatDate(at)} ${formatTime(at)}`
  return params
}

/** The reason in plain words, in the current language. */
export function reasonText(item: InboxItem, t: Translate): string {
  return t(`workflow.errors.${item.error}`, reasonParams(item))
}

/** What the rejected mutation was, in a few words (« 1ère vaccination », « Inscription du patient »…). */
export function subjectText(item: InboxItem, t: Translate): string {
  if (item.step !== undefined) return slotTitle(item.step, t)
  return t(`sync.inbox.types.${item.type.replace('.', '-')}`)
}
