import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { gzipSync } from 'node:zlib'

export type BundleFigures = {
  initialJsFiles: string[]
  initialJsGzip: number
  precacheFiles: number
  precacheGzip: number
  precacheRaw: number
}

function gzipSize(path: string): number {
  return gzipSync(readFileSync(path), { level: 9 }).length
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry)
    return statSync(path).isDirectory() ? walk(path) : [path]
  })
}

/**
 * The JavaScript the first page load needs: the entry script of dist/index.html and every chunk it
 * preloads (Vite emits a modulepreload link per static import). Lazy route chunks are not counted.
 */
export function measureBundle(distDir: string): BundleFigures {
  const html = readFileSync(join(distDir, 'index.html'), 'utf8')
  const scripts = [
    ...html.matchAll(/<script[^>]+src="([^"]+\.js)"/g),
    ...html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="([^"]+\.js)"/g),
  ]
    .map((match) => match[1] ?? '')
    .filter((src) => src.startsWith('/'))
  const initialJsFiles = [...new Set(scripts)].map((src) => join(distDir, src))
  const initialJsGzip = initialJsFiles.reduce((sum, file) => sum + gzipSize(file), 0)

  const sw = readFileSync(join(distDir, 'sw.js'), 'utf8')
  const urls = [...sw.matchAll(/url:"([^"]+)"/g)].map((match) => match[1] ?? '')
  const precached = urls.map((url) => join(distDir, url)).filter((path) => existsSync(path))
  return {
    initialJsFiles: initialJsFiles.map((file) => relative(distDir, file)),
    initialJsGzip,
    precacheFiles: precached.length,
    precacheGzip: precached.reduce((sum, file) => sum + gzipSize(file), 0),
    precacheRaw: precached.reduce((sum, file) => sum + statSync(file).size, 0),
  }
}

/** All files of dist/, for a quick look at what ships. */
export function listDist(distDir: string): string[] {
  return walk(distDir).map((file) => relative(distDir, file))
}
