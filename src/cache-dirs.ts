/** Where the gate keeps data between runs; the action saves and restores it with @actions/cache. */
import { homedir } from 'node:os'
import { join } from 'node:path'

/**
 * Where downloaded zips are kept between runs: `CONTAINER_GATE_CACHE_DIR`, else the runner's
 * tool cache (what @actions/cache saves in the action), else `$XDG_CACHE_HOME` or ~/.cache.
 */
export function osvCacheDir(env: NodeJS.ProcessEnv): string {
  if (env.CONTAINER_GATE_CACHE_DIR) return join(env.CONTAINER_GATE_CACHE_DIR, 'osv')
  if (env.RUNNER_TOOL_CACHE) return join(env.RUNNER_TOOL_CACHE, 'container-gate', 'osv')
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'container-gate', 'osv')
}
