/**
 * Keeps downloaded OSV data between workflow runs with the Actions cache, so a gate that cannot
 * reach osv.dev falls back to the last copy (docs/vulnerability-data.md). Best effort: a cache
 * service that is missing or fails only costs a download.
 */
import * as cache from '@actions/cache'
import * as core from '@actions/core'

const PREFIX = 'container-gate-osv-'

/** One key a day: a newer day's run saves a fresh copy; older copies remain restorable. */
function key(now: Date): string {
  return `${PREFIX}${now.toISOString().slice(0, 10)}`
}

export async function restoreOsvCache(dir: string, now = new Date()): Promise<void> {
  if (!cache.isFeatureAvailable()) return
  try {
    const hit = await cache.restoreCache([dir], key(now), [PREFIX])
    core.info(
      hit === undefined ? 'No cached OSV data yet.' : `Restored OSV data from cache ${hit}.`
    )
  } catch (error) {
    core.warning(`Could not restore the OSV data cache: ${(error as Error).message}`)
  }
}

export async function saveOsvCache(dir: string, now = new Date()): Promise<void> {
  if (!cache.isFeatureAvailable()) return
  try {
    await cache.saveCache([dir], key(now))
  } catch (error) {
    // Another job of the same day saved it first, or the directory was never created.
    core.debug(`OSV data cache not saved: ${(error as Error).message}`)
  }
}
