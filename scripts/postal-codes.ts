import { createRequire } from 'node:module'
import type { Plugin } from 'vite'

type PostalEntry = { codePostal: string; codeCommune: string; nomCommune: string }

/** The public path of the compact French postal-code list the app fetches and precaches. */
export const communesAssetPath = 'data/communes-fr.tsv'

/**
 * Compacts the official list (package codes-postaux, La Poste's base) to one line per
 * (postal code, commune): `code postal \t nom \t code INSEE`, sorted, deduplicated.
 */
export function compactPostalCodes(entries: readonly PostalEntry[]): string {
  const lines = new Set(entries.map((e) => `${e.codePostal}\t${e.nomCommune}\t${e.codeCommune}`))
  return [...lines].sort((a, b) => a.localeCompare(b, 'fr')).join('\n') + '\n'
}

function loadCompactList(): string {
  const require = createRequire(import.meta.url)
  return compactPostalCodes(require('codes-postaux/codes-postaux.json') as PostalEntry[])
}

/** Emits the compact list into the build (and serves it in dev), so it is precached and works offline. */
export function postalCodesPlugin(): Plugin {
  let compact: string | undefined
  const source = () => (compact ??= loadCompactList())
  return {
    name: 'carnet-postal-codes',
    configureServer(server) {
      server.middlewares.use(`/${communesAssetPath}`, (_request, response) => {
        response.setHeader('Content-Type', 'text/tab-separated-values; charset=utf-8')
        response.end(source())
      })
    },
    generateBundle() {
      this.emitFile({ type: 'asset', fileName: communesAssetPath, source: source() })
    },
  }
}
