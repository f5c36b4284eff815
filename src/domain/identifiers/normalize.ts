/** Canonical form of a typed identifier: spaces, dots, dashes and slashes removed, letters upper-cased. */
export function normalizeIdentifier(input: string): string {
  return input.replace(/[\s./-]/g, '').toUpperCase()
}
