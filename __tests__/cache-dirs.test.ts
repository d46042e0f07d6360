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

  it.each([
    [['scan', 'img'], '/cache/compile'],
    [['scan', 'img', '--layer-cache'], '/cache/compile'],
    [['scan', 'img', '--layer-cache=false'], undefined],
    [['--layer-cache=FALSE', 'scan', 'img'], undefined],
    [['scan', 'img', '--layer-cache=false', '--layer-cache=true'], '/cache/compile'],
    [['scan', 'img', '--layer-cache=true', '--layer-cache=false'], undefined],
    [['scan', 'img', '--layer-cache=maybe'], undefined],
    [['scan', 'img', '--layer-cache', 'false'], undefined],
    [['scan', '--layer-cache', 'FALSE', 'img'], undefined],
    [['scan', '--layer-cache', 'img'], '/cache/compile'],
    [['scan', 'img', '--', '--layer-cache=false'], '/cache/compile']
  ])('with arguments %j keep compiled code in %s', (argv, dir) => {
    expect(compileCacheDir({ CONTAINER_GATE_CACHE_DIR: '/cache' }, argv)).toBe(dir)
  })

  it('keep no compiled code when the environment names no place', () => {
    expect(compileCacheDir({})).toBeUndefined()
  })
})
