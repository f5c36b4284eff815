import { chromium, type Browser } from 'playwright-core'
import { chromiumArgs, findChromium } from '../../../scripts/lib/chromium'

/** Launches Debian's Chromium (or CHROME_PATH) headless with the flags this closed network needs. */
export async function launchBrowser(): Promise<Browser> {
  const executablePath = findChromium()
  if (!executablePath) throw new Error("No Chromium found: install Debian's chromium or set CHROME_PATH.")
  return chromium.launch({ executablePath, headless: true, args: chromiumArgs })
}
