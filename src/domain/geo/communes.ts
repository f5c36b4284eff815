/** A French commune served by a postal code (one postal code serves several communes and the reverse). */
export type Commune = { postalCode: string; name: string; inseeCode: string; searchName: string }

const combiningMarks = /[\u0300-\u036f]/g

/** Folds a place name for accent- and case-insensitive matching: « Saint-Étienne » → « SAINT ETIENNE ». */
export function foldPlaceName(name: string): string {
  return name
    .normalize('NFD')
    .replace(combiningMarks, '')
    .toUpperCase()
    .replace(/['’-]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
}

/** Reads the compact list (`code postal \t nom \t code INSEE` per line); malformed lines are skipped. */
export function parseCommunes(text: string): Commune[] {
  const communes: Commune[] = []
  for (const line of text.split('\n')) {
    const [postalCode, name, inseeCode] = line.split('\t')
    if (!postalCode || !name || !inseeCode || !/^\d{5}$/.test(postalCode)) continue
    communes.push({ postalCode, name, inseeCode, searchName: foldPlaceName(name) })
  }
  return communes
}

/** The minimum number of characters before suggestions appear, as on the national teleservice. */
export const communeQueryMinLength = 2

/**
 * Suggests communes for what the person typed: digits match the start of the postal code, letters the
 * start of the commune's name or of any word in it (« etienne » finds Saint-Étienne); nothing under
 * two characters. Exact-prefix name matches come first, then by postal code.
 */
export function searchCommunes(communes: readonly Commune[], query: string, limit = 20): Commune[] {
  const trimmed = query.trim()
  if (trimmed.length < communeQueryMinLength) return []
  if (/^\d+$/.test(trimmed)) {
    return communes.filter((c) => c.postalCode.startsWith(trimmed)).slice(0, limit)
  }
  const folded = foldPlaceName(trimmed)
  if (folded.length < communeQueryMinLength) return []
  const starts: Commune[] = []
  const inWord: Commune[] = []
  for (const commune of communes) {
    if (commune.searchName.startsWith(folded)) starts.push(commune)
    else if (commune.searchName.includes(` ${folded}`)) inWord.push(commune)
  }
  const byName = (a: Commune, b: Commune) =>
    a.searchName.length - b.searchName.length || a.postalCode.localeCompare(b.postalCode)
  return [...starts.sort(byName), ...inWord.sort(byName)].slice(0, limit)
}
