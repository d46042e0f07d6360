import { describe, expect, it } from '@jest/globals'
import { compileCacheDir, layerCacheDir, osvCacheDir } from '../src/cache-dirs.js'

describe('cache directories', () => {
  it('keep layers, vulnerability data and compiled code side by side', () => {
    const env = { CONTAINER_GATE_CACHE_DIR: '/cache' }
    expect([layerCacheDir(env), osvCacheDir(env), compileCacheDir(env)]).toEqual([
      '/cache/layers',
      '/cache/osv',
      '/cache/compile'
    ])
    expect(compileCacheDir({ RUNNER_TOOL_CACHE: '/tools' })).toBe('/tools/container-gate/compile')
    expect(compileCacheDir({ HOME: '/home/u' })).toBe('/home/u/.cache/container-gate/compile')
  })

  it('keep no compiled code when the environment names no place', () => {
    expect(compileCacheDir({})).toBeUndefined()
  })
})
