// The code de ciblage Carnet issues to every patient it registers, to find the file later (seed 004): 10 symbols
// of Crockford's base32 (no I, L, O, U: nothing to misread) and a mod-37 check symbol catching one wrong or two
// swapped characters. Randomness is a parameter: the caller passes crypto-random bytes.

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'
const CHECK_ALPHABET = `${ALPHABET}*~$=U`
const DATA_LENGTH = 10

/** The length of an issued code de ciblage (10 symbols + 1 check symbol). */
export const CODE_DE_CIBLAGE_LENGTH = DATA_LENGTH + 1

function checkSymbol(data: string): string {
  let rest = 0
  for (const c of data) rest = (rest * 32 + ALPHABET.indexOf(c)) % 37
  return CHECK_ALPHABET.charAt(rest)
}

/** Normalises a typed code the Crockford way: upper-case, separators dropped, O read as 0, I and L as 1. */
export function normalizeCodeDeCiblage(input: string): string {
  return input.toUpperCase().replace(/[\s-]/gu, '').replace(/O/gu, '0').replace(/[IL]/gu, '1')
}

/** Issues a code de ciblage from at least 10 random bytes (5 bits of each, uniformly). */
export function issueCodeDeCiblage(randomBytes: Uint8Array): string {
  if (randomBytes.length < DATA_LENGTH)
    throw new RangeError(`issueCodeDeCiblage needs ${DATA_LENGTH} random bytes`)
  let data = ''
  for (let i = 0; i < DATA_LENGTH; i += 1) data += ALPHABET.charAt((randomBytes[i] ?? 0) & 31)
  return data + checkSymbol(data)
}

/** Enforces the check symbol of a code Carnet issued (after Crockford normalisation). */
export function isValidCodeDeCiblage(input: string): boolean {
  const code = normalizeCodeDeCiblage(input)
  if (code.length !== CODE_DE_CIBLAGE_LENGTH) return false
  const data = code.slice(0, DATA_LENGTH)
  if ([...data].some((c) => !ALPHABET.includes(c))) return false
  return checkSymbol(data) === code.charAt(DATA_LENGTH)
}
