// The dashboard's built files (dist/dashboard, from `npm run build`), read once and served from memory.
import { readdirSync, readFileSync } from 'node:fs'
import { extname, join } from 'node:path'

export interface Asset {
  body: Uint8Array
  type: string
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
}

export class DashboardAssets {
  private constructor(
    readonly index: Asset | undefined,
    private readonly files: ReadonlyMap<string, Asset>,
  ) {}

  /** The build in `dir`; empty (every page answered with how to build it) when there is none. */
  static load(dir: string): DashboardAssets {
    const files = new Map<string, Asset>()
    let index: Asset | undefined
    try {
      index = { body: readFileSync(join(dir, 'index.html')), type: TYPES['.html'] as string }
      for (const name of readdirSync(join(dir, 'assets')))
        files.set(name, {
          body: readFileSync(join(dir, 'assets', name)),
          type: TYPES[extname(name)] ?? 'application/octet-stream',
        })
    } catch {
      // No build: reported on each request for a page.
    }
    return new DashboardAssets(index, files)
  }

  /** A file of assets/ by its name; nothing outside that folder can be named. */
  asset(name: string): Asset | undefined {
    return this.files.get(name)
  }

  get names(): string[] {
    return [...this.files.keys()]
  }
}
