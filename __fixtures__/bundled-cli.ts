/**
 * The CLI bundled once per suite, for tests that run it as a child process: a process that must
 * end by itself can only be watched from outside. Bundled inside node_modules, as
 * scripts/run-ts.mjs does, so the external packages resolve.
 */
import { build } from 'esbuild'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { join, resolve } from 'node:path'

export interface BundledCli {
  /** The bundled `src/bin.ts`, run as `node CLI ARGS…`. */
  cli: string
  remove(): Promise<void>
}

export async function bundleCli(name: string): Promise<BundledCli> {
  await mkdir('node_modules/.cache', { recursive: true })
  const dir = await mkdtemp(resolve(`node_modules/.cache/${name}-`))
  const cli = join(dir, 'cli.mjs')
  await build({
    entryPoints: [resolve('src/bin.ts')],
    outfile: cli,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning'
  })
  return { cli, remove: () => rm(dir, { recursive: true, force: true }) }
}
