// The wait before the next password attempt, in words: « 45 secondes », « 2 minutes » (rounded up: never less
// than what is left).
import type { Translate } from '../step/step-format'

/** Says a wait of `seconds` in the current language. */
export function waitText(seconds: number, t: (key: string, n: number) => string): string {
  const s = Math.max(1, Math.ceil(seconds))
  return s < 60 ? t('patients.signIn.wait.seconds', s) : t('patients.signIn.wait.minutes', Math.ceil(s / 60))
}

/** The message of a refused sign-in or unlock, with the wait when there is one. */
export function signInErrorText(
  error: string,
  retryAfterSeconds: number | undefined,
  t: Translate,
  plural: (key: string, n: number) => string,
  /** Another message for the error (the lock says « mot de passe incorrect » without « hors ligne »). */
  key?: string,
): string {
  const wait = retryAfterSeconds === undefined ? '' : waitText(retryAfterSeconds, plural)
  const message = t(key ?? `patients.signIn.errors.${error}`, {
    seconds: String(retryAfterSeconds ?? 60),
    wait,
  })
  // A wrong password that starts (or lengthens) the wait says so after today's message.
  if ((error === 'wrong-password' || error === 'invalid-credentials') && wait !== '') {
    return `${message} ${t('patients.signIn.nextAttempt', { wait })}`
  }
  return message
}
