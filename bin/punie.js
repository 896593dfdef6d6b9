#!/usr/bin/env node
// Entry point: runs the compiled CLI, building it first if this checkout has never been built.
import { existsSync } from 'node:fs'

const entry = new URL('../dist/cli/main.js', import.meta.url)

if (!existsSync(entry)) {
  // Only a fresh checkout gets here, so these modules stay off the normal start-up path.
  const [{ spawnSync }, { createRequire }, { fileURLToPath }] = await Promise.all([
    import('node:child_process'),
    import('node:module'),
    import('node:url'),
  ])
  const root = fileURLToPath(new URL('..', import.meta.url))
  let tsc
  try {
    tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')
  } catch {
    process.stderr.write(
      'punie: dist/ is missing and TypeScript is not installed; run `npm ci` then `npm run build`\n',
    )
    process.exit(1)
  }
  process.stderr.write('punie: first run, compiling…\n')
  const built = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], {
    cwd: root,
    stdio: ['ignore', 2, 2],
  })
  if (built.status !== 0) process.exit(built.status ?? 1)
}

const { main } = await import(entry.href)
await main(process.argv)
