// The documents are French whatever the screen's language (product.md: every PDF in French): labels come from the
// French messages the screens use, read without vue-i18n so that a document can be made outside a component.
import type { Translate } from '../components/step/step-format'
import { fr } from '../i18n/locales/fr'

function lookup(path: string): string | undefined {
  let node: unknown = fr
  for (const part of path.split('.')) {
    if (typeof node !== 'object' || node === null) return undefined
    node = (node as Record<string, unknown>)[part]
  }
  return typeof node === 'string' ? node : undefined
}

/** Looks a key up in the French messages and fills its `{name}` placeholders (and `{'literal'}` escapes). */
export const french: Translate = (key, named) => {
  const message = lookup(key)
  if (message === undefined) throw new Error(`missing French message ${key}`)
  return message.replace(
    /\{\s*(?:'([^']*)'|(\w+))\s*\}/g,
    (whole, literal: string | undefined, name: string) => {
      if (literal !== undefined) return literal
      const value = named?.[name]
      return value === undefined ? whole : String(value)
    },
  )
}

/** The French labels of the closed lists (places, sites, routes…), for the exports. */
export const frenchLists = fr.workflow
