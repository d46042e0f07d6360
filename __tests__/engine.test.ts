import { describe, expect, it } from '@jest/globals'
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildImage } from '../__fixtures__/image-builder.js'
import { ACQUIRE, memorySource } from '../__fixtures__/memory-source.js'
import { runGate } from '../src/engine.js'
import { ImageError } from '../src/errors.js'
import type { LayerSubscription } from '../src/image/analysis.js'
import type { ImageSource } from '../src/image/source.js'
import { silentLogger } from '../src/log.js'
import { defaultPolicy } from '../src/policy/defaults.js'
import type { Step } from '../src/steps/step.js'

const image = buildImage({
  layers: [
    {
      entries: [
        { path: 'etc/' },
        { path: 'etc/passwd', content: 'app:x:10001:10001::/:/bin/false\n' }
      ]
    },
    { entries: [{ path: 'etc/.wh.passwd' }, { path: 'app/secret.txt', content: 'deleted later' }] },
    { entries: [{ path: 'app/.wh.secret.txt' }] }
  ],
  config: { User: '10001' }
})

/** A source over a built image; `diffIds` replaces the config's list to model a corrupt config. */
function source(diffIds?: string[]): ImageSource {
  return memorySource(
    image,
    diffIds === undefined
      ? {}
      : { config: { ...image.config, rootfs: { type: 'layers', diff_ids: diffIds } } }
  )
}

const request = {
  image: 'oci:test',
  policy: defaultPolicy(),
  acquire: ACQUIRE
}

function step(id: Step['id'], run: Step['run'], extra: Partial<Step> = {}): Step {
  return { id, title: `${id} step`, run, ...extra }
}

describe('runGate', () => {
  it('reports a step that throws as error and fails closed', async () => {
    const steps = [
      step('identity', async () => ({ findings: [] })),
      step('tests', async () => {
        throw new Error('boom')
      })
    ]
    const { report } = await runGate(request, silentLogger, steps, () => source())
    expect(report.steps.slice(0, 2)).toEqual([
      expect.objectContaining({ id: 'identity', status: 'pass' }),
      expect.objectContaining({ id: 'tests', status: 'error', reason: 'boom' })
    ])
    expect(report.verdict).toBe('fail')
  })

  it('hands a layer subscription one result per layer, in layer order, including deleted files', async () => {
    let seen: Array<string[] | undefined> = []
    const paths: LayerSubscription<string[]> = {
      id: 'paths',
      version: 1,
      settings: '',
      createVisitor: () => {
        const seenPaths: string[] = []
        return {
          onEntry: (entry) => {
            seenPaths.push(entry.path)
            return undefined
          },
          finish: () => seenPaths
        }
      }
    }
    const steps = [
      step(
        'hardening',
        async (context) => {
          seen = context.image.visits(paths)
          return { findings: [] }
        },
        {
          needs: () => ({ subscriptions: [paths] })
        }
      )
    ]
    const { report } = await runGate(request, silentLogger, steps, () => source())
    expect(seen).toEqual([['/etc', '/etc/passwd'], ['/app/secret.txt'], []])
    expect(report.verdict).toBe('pass')
  })

  it('gives steps the final filesystem with whiteouts applied and the content they asked for', async () => {
    let view: { passwd?: string; secret: boolean } = { secret: true }
    const steps = [
      step(
        'identity',
        async (context) => {
          view = {
            passwd: context.image.fs.read('/etc/passwd')?.toString(),
            secret: context.image.fs.get('/app/secret.txt') !== undefined
          }
          return { findings: [] }
        },
        { needs: () => ({ files: [{ globs: ['/etc/passwd'], maxBytes: 1024 }] }) }
      )
    ]
    await runGate(request, silentLogger, steps, () => source())
    expect(view).toEqual({ passwd: undefined, secret: false })
  })

  it('rejects a layer whose uncompressed digest differs from the config', async () => {
    const wrong = image.layers.map((l) => l.diffId)
    wrong[1] = `sha256:${'0'.repeat(64)}`
    const run = runGate(request, silentLogger, [], () => source(wrong))
    await expect(run).rejects.toBeInstanceOf(ImageError)
    await expect(run).rejects.toThrow(`rootfs.diff_ids[1] is sha256:${'0'.repeat(64)}`)
  })

  it('rejects a config that lists a different number of layers', async () => {
    const run = runGate(request, silentLogger, [], () => source([image.layers[0]!.diffId]))
    await expect(run).rejects.toThrow('the config lists 1 layers but the manifest has 3')
  })
})

describe('runGate with a layer cache', () => {
  it('counts the entries a baseline image scan writes as written by the run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'engine-cache-'))
    try {
      const baseline = buildImage({
        layers: [{ entries: [{ path: 'srv/old.txt', content: 'the base branch build\n' }] }],
        config: { User: '10001' }
      })
      const open = (reference: string): ImageSource =>
        reference === 'oci:baseline'
          ? memorySource(baseline, { reference: 'oci:baseline' })
          : source()
      const layerCache = { dir, maxBytes: 1024 * 1024 * 1024 }
      const steps = [step('identity', async () => ({ findings: [] }))]
      const alone = await runGate({ ...request, layerCache }, silentLogger, steps, open)
      expect(alone.layerCacheWrittenBytes).toBeGreaterThan(0)
      // The scanned image's layers are cached now: only the baseline's are written.
      const withBaseline = await runGate(
        { ...request, layerCache, baseline: 'oci:baseline' },
        silentLogger,
        steps,
        open
      )
      const entries = readdirSync(dir).filter((name) => name.endsWith('.layer'))
      expect(entries).toHaveLength(image.layers.length + baseline.layers.length)
      const baselineEntry = entries.find((name) =>
        name.startsWith(baseline.layers[0]!.digest.slice(7))
      )
      expect(withBaseline.layerCacheWrittenBytes).toBe(statSync(join(dir, baselineEntry!)).size)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
