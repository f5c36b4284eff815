import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { launchBrowser } from './support/browser'
import { startServer, type RunningServer } from './support/server'

let server: RunningServer
let browser: Browser

beforeAll(async () => {
  server = await startServer()
  browser = await launchBrowser()
})

afterAll(async () => {
  await browser?.close()
  await server?.stop()
})

it('installs its service worker and still opens with the network off', async () => {
  const context = await browser.newContext()
  const page = await context.newPage()
  await page.goto(server.url)
  await expect.poll(() => page.locator('header').textContent()).toContain('Carnet')

  // Wait until the worker has precached the shell and controls the page.
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready
  })
  await page.reload()
  await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true)

  await context.setOffline(true)
  await page.reload()
  await expect.poll(() => page.locator('header').textContent()).toContain('Carnet')
  await expect.poll(() => page.getByText('Hors ligne').count()).toBeGreaterThan(0)
  await context.close()
})

it('serves the manifest an installable app needs', async () => {
  const response = await fetch(`${server.url}/manifest.webmanifest`)
  expect(response.ok).toBe(true)
  const manifest = (await response.json()) as {
    display: string
    icons: { sizes: string; purpose?: string }[]
  }
  expect(manifest.display).toBe('standalone')
  expect(manifest.icons.map((icon) => icon.sizes)).toEqual(expect.arrayContaining(['192x192', '512x512']))
  expect(manifest.icons.some((icon) => icon.purpose === 'maskable')).toBe(true)
})
