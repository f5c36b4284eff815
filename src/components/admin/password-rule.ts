// The password rule of the one-time link, checked next to the field before the server sees it: long enough
// (the server's minimum) and a mix of at least three kinds of characters.
import { MIN_PASSWORD_LENGTH } from '../../shared/admin-api'

/** Why a password is refused here: too short, or too few kinds of characters; null when it is fine. */
export function passwordProblem(password: string): 'length' | 'classes' | null {
  if ([...password].length < MIN_PASSWORD_LENGTH) return 'length'
  const kinds = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((pattern) => pattern.test(password)).length
  return kinds < 3 ? 'classes' : null
}
