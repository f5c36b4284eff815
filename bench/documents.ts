// How long a document takes to make on the device: a step summary PDF and a four-dose certificate PDF (with its
// QR code), through the app's own src/pdf code bundled by Vite as the app bundles it (jsPDF loaded on first use)
// and run in headless Chromium. The page times each call with performance.now(): the first call apart (it loads
// the renderer chunk), then 20 of each.
import { mkdtempSync, readFileSync, rmSync, existsSync, statSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { tmpdir } from 'node:os'
import { extname, join, normalize } from 'node:path'
import { chromium } from 'playwright-core'
import { build, type Plugin } from 'vite'
import { chromiumArgs, findChromium } from '../scripts/lib/chromium'
import { summarize, type Summary } from './lib/stats'

const RUNS = 20
const ENTRY_ID = 'virtual:carnet-documents-bench'

/** What the page measured, in milliseconds. */
export type DocumentFigures = {
  chromium: string
  runs: number
  summary: Summary & { first: number; bytes: number }
  certificate: Summary & { first: number; bytes: number }
}

type PageTimings = {
  summary: { first: number; samples: number[]; bytes: number }
  certificate: { first: number; samples: number[]; bytes: number }
}

// The page's code: the fixtures of src/pdf/testing and the public API, timed in the page.
function entrySource(root: string): string {
  return `
import { certificatePdf, stepSummaryPdf } from '${root}/src/pdf/index.ts'
import { buildDocumentSource, fourDoseSteps } from '${root}/src/pdf/testing.ts'

async function time(make, runs) {
  let start = performance.now()
  const firstBlob = await make()
  const first = performance.now() - start
  const samples = []
  for (let i = 0; i < runs; i++) {
    start = performance.now()
    await make()
    samples.push(performance.now() - start)
  }
  return { first, samples, bytes: firstBlob.size }
}

window.carnetDocumentsBench = async (runs) => {
  const source = buildDocumentSource({ steps: fourDoseSteps() })
  return {
    summary: await time(() => stepSummaryPdf(source, 's-dose-2'), runs),
    certificate: await time(() => certificatePdf(source), runs),
  }
}
`
}

function entryPlugin(root: string): Plugin {
  return {
    name: 'carnet-documents-bench-entry',
    resolveId: (id) => (id === ENTRY_ID ? `\0${ENTRY_ID}` : null),
    load: (id) => (id === `\0${ENTRY_ID}` ? entrySource(root) : null),
  }
}

const PAGE_HTML = `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Carnet documents bench</title></head>
<body><script type="module" src="/entry.js"></script></body></html>`

function serve(dir: string): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent((req.url ?? '/').split('?')[0] ?? '/'))
    if (path === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE_HTML)
      return
    }
    const file = join(dir, path)
    if (!file.startsWith(dir) || !existsSync(file) || statSync(file).isDirectory()) {
      res.writeHead(404).end('Not found')
      return
    }
    const type = extname(file) === '.js' ? 'text/javascript; charset=utf-8' : 'application/octet-stream'
    res.writeHead(200, { 'content-type': type }).end(readFileSync(file))
  })
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      resolve({ server, url: `http://127.0.0.1:${port}/` })
    }),
  )
}

/** Builds the bench page into a temporary folder, runs it in headless Chromium and returns the timings. */
export async function measureDocuments(root: string): Promise<DocumentFigures> {
  const executablePath = findChromium()
  if (executablePath === undefined)
    throw new Error("No Chromium found: install Debian's chromium or set CHROME_PATH.")
  const outDir = mkdtempSync(join(tmpdir(), 'carnet-bench-documents-'))
  let server: Server | undefined
  const browser = await chromium.launch({ executablePath, args: chromiumArgs })
  try {
    await build({
      configFile: false,
      root,
      logLevel: 'error',
      publicDir: false,
      plugins: [entryPlugin(root)],
      resolve: { alias: { '@': join(root, 'src') } },
      build: {
        outDir,
        emptyOutDir: true,
        target: 'es2022',
        sourcemap: false,
        rollupOptions: {
          input: ENTRY_ID,
          output: { entryFileNames: 'entry.js', chunkFileNames: 'chunks/[name]-[hash].js' },
          preserveEntrySignatures: 'strict',
        },
      },
    })
    const served = await serve(outDir)
    server = served.server
    const page = await browser.newPage()
    await page.goto(served.url)
    await page.waitForFunction(() => 'carnetDocumentsBench' in window)
    const timings = await page.evaluate(
      (runs) =>
        (
          window as unknown as { carnetDocumentsBench: (n: number) => Promise<PageTimings> }
        ).carnetDocumentsBench(runs),
      RUNS,
    )
    const figures = (t: PageTimings['summary']) => ({
      ...summarize(t.samples),
      first: t.first,
      bytes: t.bytes,
    })
    return {
      chromium: browser.version(),
      runs: RUNS,
      summary: figures(timings.summary),
      certificate: figures(timings.certificate),
    }
  } finally {
    await browser.close()
    server?.close()
    rmSync(outDir, { recursive: true, force: true })
  }
}
