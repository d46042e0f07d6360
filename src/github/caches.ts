/**
 * Keeps the gate's data directories between workflow runs with the Actions cache: downloaded OSV
 * data, so a gate that cannot reach osv.dev falls back to the last copy
 * (docs/vulnerability-data.md), and the layer cache, so an image whose base did not change reads
 * only its new layers (docs/architecture.md, "Layer cache"). Best effort: a cache service that is
 * missing or fails only costs a download or a read.
 */
import { createHash } from 'node:crypto'
import * as cache from '@actions/cache'
import * as core from '@actions/core'
import { LAYER_CACHE_FORMAT } from '../image/layer/cache.js'

const OSV_PREFIX = 'container-gate-osv-'

/** One key a day: a newer day's run saves a fresh copy; older copies remain restorable. */
function osvKey(now: Date): string {
  return `${OSV_PREFIX}${now.toISOString().slice(0, 10)}`
}

/** Layer caches of one runner OS and entry format; the newest is restored. */
function layerPrefix(env: NodeJS.ProcessEnv): string {
  return `container-gate-layers-${env.RUNNER_OS ?? process.platform}-v${LAYER_CACHE_FORMAT}-`
}

/**
 * Cache keys cannot be overwritten, so each run that wrote entries saves under a key of its own:
 * the run, its attempt, the job and the image (two jobs of one run gate different images).
 */
function layerKey(env: NodeJS.ProcessEnv, image: string): string {
  const job = createHash('sha256')
    .update(`${env.GITHUB_JOB ?? ''}\n${image}`)
    .digest('hex')
    .slice(0, 12)
  return `${layerPrefix(env)}${env.GITHUB_RUN_ID ?? Date.now()}-${env.GITHUB_RUN_ATTEMPT ?? '1'}-${job}`
}

async function restore(what: string, dir: string, key: string, prefix: string): Promise<void> {
  if (!cache.isFeatureAvailable()) return
  try {
    const hit = await cache.restoreCache([dir], key, [prefix])
    core.info(hit === undefined ? `No cached ${what} yet.` : `Restored ${what} from cache ${hit}.`)
  } catch (error) {
    core.warning(`Could not restore the ${what} cache: ${(error as Error).message}`)
  }
}

async function save(what: string, dir: string, key: string): Promise<void> {
  if (!cache.isFeatureAvailable()) return
  try {
    await cache.saveCache([dir], key)
  } catch (error) {
    // Another job saved the same key first, or the directory was never created.
    core.debug(`${what} cache not saved: ${(error as Error).message}`)
  }
}

export async function restoreOsvCache(dir: string, now = new Date()): Promise<void> {
  await restore('OSV data', dir, osvKey(now), OSV_PREFIX)
}

export async function saveOsvCache(dir: string, now = new Date()): Promise<void> {
  await save('OSV data', dir, osvKey(now))
}

export async function restoreLayerCache(
  dir: string,
  env: NodeJS.ProcessEnv,
  image: string
): Promise<void> {
  await restore('layer analyses', dir, layerKey(env, image), layerPrefix(env))
}

/** Saved only by a run that added entries: otherwise the restored copy is still the newest. */
export async function saveLayerCache(
  dir: string,
  env: NodeJS.ProcessEnv,
  image: string
): Promise<void> {
  await save('layer analyses', dir, layerKey(env, image))
}
