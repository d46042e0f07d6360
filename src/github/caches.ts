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

/** Layer caches of one runner OS and entry format. */
function layerPrefix(env: NodeJS.ProcessEnv): string {
  return `container-gate-layers-${env.RUNNER_OS ?? process.platform}-v${LAYER_CACHE_FORMAT}-`
}

/** The job and the image: parallel jobs gating different images keep caches of their own. */
function layerJob(env: NodeJS.ProcessEnv, image: string): string {
  return createHash('sha256')
    .update(`${env.GITHUB_JOB ?? ''}\n${image}`)
    .digest('hex')
    .slice(0, 12)
}

/**
 * Cache keys cannot be overwritten, so a run that wrote entries saves under a key of its own (the
 * run and its attempt) after its job's; a run restores its job's newest copy, else any job's.
 */
function layerKey(env: NodeJS.ProcessEnv, image: string): string {
  return `${layerPrefix(env)}${layerJob(env, image)}-${env.GITHUB_RUN_ID ?? Date.now()}-${env.GITHUB_RUN_ATTEMPT ?? '1'}`
}

/**
 * A run saves the layer cache only when it analysed at least this much that was not cached: a
 * changed base layer, not only a small top layer, which the next run reads again quickly. Each
 * save is a new cache entry of the repository's quota.
 */
export const LAYER_CACHE_SAVE_BYTES = 1024 * 1024

async function restore(what: string, dir: string, key: string, prefixes: string[]): Promise<void> {
  if (!cache.isFeatureAvailable()) return
  try {
    const hit = await cache.restoreCache([dir], key, prefixes)
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
  await restore('OSV data', dir, osvKey(now), [OSV_PREFIX])
}

export async function saveOsvCache(dir: string, now = new Date()): Promise<void> {
  await save('OSV data', dir, osvKey(now))
}

export async function restoreLayerCache(
  dir: string,
  env: NodeJS.ProcessEnv,
  image: string
): Promise<void> {
  const prefix = layerPrefix(env)
  await restore('layer analyses', dir, layerKey(env, image), [
    `${prefix}${layerJob(env, image)}-`,
    prefix
  ])
}

/** Saved by a run that added enough (LAYER_CACHE_SAVE_BYTES): otherwise the restored copy serves. */
export async function saveLayerCache(
  dir: string,
  env: NodeJS.ProcessEnv,
  image: string
): Promise<void> {
  await save('layer analyses', dir, layerKey(env, image))
}
