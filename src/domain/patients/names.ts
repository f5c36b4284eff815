// Name normalisation for storage and for accent- and case-insensitive search (EHPAD search by name + birth date).

/** Normalises a typed name for storage: trimmed, inner runs of spaces collapsed to one. */
export function normalizeName(input: string): string {
  return input.trim().replace(/\s+/gu, ' ')
}

/**
 * Gives the search key of a name: accents stripped (NFD + combining marks removed), ligatures spelled out,
 * upper-cased, hyphens and apostrophes read as spaces, spaces collapsed: 'Éloïse  Dupré' → 'ELOISE DUPRE'.
 */
export function nameSearchKey(input: string): string {
  return input
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/œ/gu, 'oe')
    .replace(/Œ/gu, 'OE')
    .replace(/æ/gu, 'ae')
    .replace(/Æ/gu, 'AE')
    .toUpperCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()
}
