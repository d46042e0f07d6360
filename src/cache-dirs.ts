/** Where the gate keeps data between runs; the action saves and restores it with @actions/cache. */
import { homedir } from 'node:os'
import { join } from 'node:path'
import { booleanWord } from './input-values.js'

/**
 * Where downloaded zips are kept between runs: `CONTAINER_GATE_CACHE_DIR`, else the runner's
 * tool cache (what @actions/cache saves in the action), else `$XDG_CACHE_HOME` or ~/.cache.
 */
export function osvCacheDir(env: NodeJS.ProcessEnv): string {
  if (env.CONTAINER_GATE_CACHE_DIR) return join(env.CONTAINER_GATE_CACHE_DIR, 'osv')
  if (env.RUNNER_TOOL_CACHE) return join(env.RUNNER_TOOL_CACHE, 'container-gate', 'osv')
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'container-gate', 'osv')
}

/**
 * Where layer analyses are kept between runs, in the same places as osvCacheDir, or undefined
 * when the environment names none of them (no HOME either): then nothing is kept.
 */
export function layerCacheDir(env: NodeJS.ProcessEnv): string | undefined {
  if (env.CONTAINER_GATE_CACHE_DIR) return join(env.CONTAINER_GATE_CACHE_DIR, 'layers')
  if (env.RUNNER_TOOL_CACHE) return join(env.RUNNER_TOOL_CACHE, 'container-gate', 'layers')
  const base = env.XDG_CACHE_HOME || (env.HOME ? join(env.HOME, '.cache') : undefined)
  return base === undefined ? undefined : join(base, 'container-gate', 'layers')
}

/**
 * Where Node keeps the CLI's compiled code between runs (`module.enableCompileCache`), beside the
 * layer analyses, or undefined when the environment names no place or the command line turns
 * the layer cache off: a directory not trusted with layer analyses is not trusted with code,
 * which Node would run from it.
 */
export function compileCacheDir(
  env: NodeJS.ProcessEnv,
  argv: readonly string[] = []
): string | undefined {
  const layers = layerCacheDir(env)
  return layers === undefined || !layerCacheOn(argv) ? undefined : join(layers, '..', 'compile')
}

/**
 * `--layer-cache` as the CLI's parseFlags reads it: bare, `=word`, or bare followed by a
 * true/false word; the last one wins; nothing after `--` is a flag.
 */
function layerCacheOn(argv: readonly string[]): boolean {
  let on = true
  for (let i = 0; i < argv.length && argv[i] !== '--'; i++) {
    const arg = argv[i]!
    if (arg === '--layer-cache') {
      const word = booleanWord(argv[i + 1] ?? '')
      on = word ?? true
      if (word !== undefined) i++
    } else if (arg.startsWith('--layer-cache=')) {
      // A value the CLI refuses stops the run anyway; until then it is not an opt-in.
      on = booleanWord(arg.slice('--layer-cache='.length)) === true
    }
  }
  return on
}
