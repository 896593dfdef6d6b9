// Debian's Chromium, headless, driven by playwright-core: for the dashboard's tests and bench. The flags keep it
// from reaching out to the network (this machine's closed network refuses it, many times a second).
import type { Browser } from 'playwright-core'
import { chromiumPath } from './needs.js'

export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core')
  return chromium.launch({
    executablePath: chromiumPath(),
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
}
