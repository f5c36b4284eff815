// RFC 8785 (JSON Canonicalization Scheme) for plain JSON values: the bytes a mutation's `sig` covers.
// ECMAScript's JSON.stringify already serialises strings and numbers as RFC 8785 asks; keys are sorted by UTF-16 code units.

/** Serialises a JSON value canonically (sorted keys, no spaces), so device and server sign the same bytes. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError('canonicalJson: non-finite number')
    return JSON.stringify(value)
  }
  if (Array.isArray(value))
    return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`
  }
  throw new TypeError(`canonicalJson: not a JSON value (${typeof value})`)
}

/** Gives the text a mutation's signature covers: the canonical JSON of the envelope without `sig`. */
export function signingInput(envelope: Readonly<Record<string, unknown>>): string {
  const { sig: _sig, ...rest } = envelope
  return canonicalJson(rest)
}
