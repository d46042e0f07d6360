// Runs a TypeScript script (bench, demo build) by bundling it to a temporary ESM file first.
import { build } from 'esbuild'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

const [script, ...args] = process.argv.slice(2)
if (!script) {
  console.error('usage: node scripts/run-ts.mjs SCRIPT.ts [ARGS...]')
  process.exit(2)
}
// Inside node_modules so that the external packages resolve from the project.
await mkdir('node_modules/.cache', { recursive: true })
const dir = await mkdtemp(resolve('node_modules/.cache/run-ts-'))
const outfile = join(dir, 'script.mjs')
await build({
  entryPoints: [resolve(script)],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  logLevel: 'warning'
})
process.argv = [process.argv[0], resolve(script), ...args]
try {
  await import(pathToFileURL(outfile).href)
} finally {
  await rm(dir, { recursive: true, force: true })
}
