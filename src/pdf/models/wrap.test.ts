import { describe, expect, it } from 'vitest'
import { wrapText } from './wrap'

// A fixed-width font: one unit per character.
const measure = (s: string) => s.length

describe('wrapText', () => {
  it('moves whole words to the next line', () => {
    expect(wrapText('Synthèse de la déclaration d’éligibilité', 16, measure)).toEqual([
      'Synthèse de la',
      'déclaration',
      'd’éligibilité',
    ])
  })

  it('cuts a word wider than the line, so a 150-character name stays on the page', () => {
    const name = 'Anne-Charlotte-'.repeat(10)
    expect(name).toHaveLength(150)
    const lines = wrapText(name, 40, measure)
    expect(lines.every((line) => line.length <= 40)).toBe(true)
    expect(lines.join('')).toBe(name)
    expect(lines).toHaveLength(4)
  })

  it('keeps explicit line breaks and drops extra spaces', () => {
    expect(wrapText('Dose 1\n  Comirnaty   (Pfizer)', 30, measure)).toEqual(['Dose 1', 'Comirnaty (Pfizer)'])
  })
})
