import { createRequire } from 'node:module'
import { describe, expect, it } from 'vitest'
import { compactPostalCodes } from '../../../scripts/postal-codes'
import { foldPlaceName, parseCommunes, searchCommunes } from './communes'

const require = createRequire(import.meta.url)
// The real list, as the build ships it.
const communes = parseCommunes(compactPostalCodes(require('codes-postaux/codes-postaux.json')))

describe('commune autocompletion', () => {
  it('holds the whole French list', () => {
    expect(communes.length).toBeGreaterThan(35_000)
  })

  it('suggests nothing before two characters', () => {
    expect(searchCommunes(communes, '7')).toEqual([])
    expect(searchCommunes(communes, 'p')).toEqual([])
  })

  it('lists every commune served by a postal code', () => {
    const names = searchCommunes(communes, '01000').map((c) => c.name)
    expect(names).toEqual(expect.arrayContaining(['Bourg-en-Bresse', 'Saint-Denis-lès-Bourg']))
  })

  it('finds communes by postal-code prefix', () => {
    const found = searchCommunes(communes, '750', 50)
    expect(found.length).toBeGreaterThan(10)
    expect(found.every((c) => c.postalCode.startsWith('750'))).toBe(true)
  })

  it('finds a commune by name without accents or capitals', () => {
    const found = searchCommunes(communes, 'saint-etienne', 50)
    expect(found.some((c) => c.name === 'Saint-Étienne' && c.postalCode === '42000')).toBe(true)
  })

  it('finds a commune by a word inside its name', () => {
    const found = searchCommunes(communes, 'bresse', 200)
    expect(found.some((c) => c.name === 'Bourg-en-Bresse')).toBe(true)
  })

  it('puts names that start with the query first', () => {
    const [first] = searchCommunes(communes, 'lyon')
    expect(first?.searchName.startsWith('LYON')).toBe(true)
  })

  it('folds apostrophes and hyphens', () => {
    expect(foldPlaceName("L'Haÿ-les-Roses")).toBe('L HAY LES ROSES')
  })
})
