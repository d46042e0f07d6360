/**
 * Hostile images, class "no silent pass": a file a step needs but that is padded past the size
 * the gate reads (or past the scan's budget for file contents) must become that step's blocking
 * `input-not-analysed` finding, never a pass because the step did not look.
 */
import { describe, expect, it } from '@jest/globals'
import { buildImage, type FixtureEntry } from '../../__fixtures__/image-builder.js'
import { ACQUIRE, memorySource } from '../../__fixtures__/memory-source.js'
import { runGate } from '../../src/engine.js'
import type { StepId } from '../../src/findings.js'
import { silentLogger } from '../../src/log.js'
import { defaultPolicy } from '../../src/policy/defaults.js'
import type { Policy } from '../../src/policy/policy.js'
import { DEBIAN_OSV_DIR } from '../steps/composition/osv-data.js'

const MiB = 1024 * 1024
const PASSWD = 'root:x:0:0:root:/root:/bin/sh\napp:x:10001:10001::/app:/bin/false\n'

/** Only `steps` run; composition reads the Debian OSV fixtures. */
function policyFor(steps: StepId[]): Policy {
  const policy = defaultPolicy()
  for (const id of Object.keys(policy.steps) as StepId[])
    policy.steps[id].enabled = steps.includes(id)
  policy.composition.vulnDb = DEBIAN_OSV_DIR
  policy.composition.allowNoVulnData = true
  return policy
}

async function gate(entries: FixtureEntry[], steps: StepId[]) {
  const image = buildImage({
    layers: [{ entries: [{ path: 'etc/' }, { path: 'etc/passwd', content: PASSWD }, ...entries] }],
    config: { User: '10001:10001', Healthcheck: { Test: ['CMD', 'true'] } }
  })
  const { report } = await runGate(
    { image: 'oci:test', policy: policyFor(steps), acquire: ACQUIRE },
    silentLogger,
    undefined,
    () => memorySource(image)
  )
  const layerDigest = image.layers[0]!.digest
  return { report, layerDigest }
}

function unread(report: Awaited<ReturnType<typeof gate>>['report']) {
  return report.findings
    .filter((finding) => finding.rule.endsWith('/input-not-analysed'))
    .map(({ rule, severity, blocking, title, location }) => ({
      rule,
      severity,
      blocking,
      title,
      location
    }))
}

describe('a file padded past what the gate reads', () => {
  it('blocks an /etc/shadow padded past 1 MiB that hides an empty root password', async () => {
    const shadow = 'root::19000:0:99999:7:::\n' + '#'.repeat(MiB) + '\n'
    const { report, layerDigest } = await gate(
      [{ path: 'etc/shadow', content: shadow, mode: 0o640 }],
      ['identity']
    )
    expect(unread(report)).toEqual([
      {
        rule: 'identity/input-not-analysed',
        severity: 'high',
        blocking: true,
        title:
          '/etc/shadow was not analysed: it is 1048602 bytes, over the 1048576 bytes read of such a file',
        location: { path: '/etc/shadow', layerDigest }
      }
    ])
    expect(report.verdict).toBe('fail')
    expect(report.steps.find((step) => step.id === 'identity')?.status).toBe('fail')
  })

  it('blocks a package.json padded past 16 MiB that hides a vulnerable package', async () => {
    const manifest = JSON.stringify({
      name: 'lodash',
      version: '4.17.15',
      padding: 'x'.repeat(16 * MiB)
    })
    const { report, layerDigest } = await gate(
      [{ path: 'app/node_modules/lodash/package.json', content: manifest }],
      ['composition']
    )
    expect(unread(report)).toEqual([
      {
        rule: 'composition/input-not-analysed',
        severity: 'high',
        blocking: true,
        title:
          '/app/node_modules/lodash/package.json was not analysed: it is 16777266 bytes, over the 16777216 bytes read of such a file',
        location: { path: '/app/node_modules/lodash/package.json', layerDigest }
      }
    ])
    expect(report.verdict).toBe('fail')
  })

  it('reports a file the step asked for once per step that asked, and not files nobody asked for', async () => {
    // /etc/passwd is read by identity (1 MiB) and hardening (1 MiB); /srv/big is read by nobody.
    const image = buildImage({
      layers: [
        {
          entries: [
            { path: 'etc/' },
            { path: 'etc/passwd', content: PASSWD + '#'.repeat(MiB) },
            { path: 'srv/big', content: Buffer.alloc(2 * MiB) }
          ]
        }
      ],
      config: { User: '10001:10001' }
    })
    const { report } = await runGate(
      { image: 'oci:test', policy: policyFor(['identity', 'hardening']), acquire: ACQUIRE },
      silentLogger,
      undefined,
      () => memorySource(image)
    )
    const title =
      '/etc/passwd was not analysed: it is 1048641 bytes, over the 1048576 bytes read of such a file'
    expect(unread(report).map(({ rule, title }) => [rule, title])).toEqual([
      ['identity/input-not-analysed', title],
      ['hardening/input-not-analysed', title]
    ])
  })

  it('does not report a padded file that a later layer deleted', async () => {
    const image = buildImage({
      layers: [
        { entries: [{ path: 'etc/' }, { path: 'etc/shadow', content: '#'.repeat(2 * MiB) }] },
        { entries: [{ path: 'etc/.wh.shadow' }, { path: 'etc/passwd', content: PASSWD }] }
      ],
      config: { User: '10001:10001', Healthcheck: { Test: ['CMD', 'true'] } }
    })
    const { report } = await runGate(
      { image: 'oci:test', policy: policyFor(['identity']), acquire: ACQUIRE },
      silentLogger,
      undefined,
      () => memorySource(image)
    )
    expect(unread(report)).toEqual([])
    expect(report.verdict).toBe('pass')
  })

  it('names at most 50 unread files per step and counts the rest in one finding', async () => {
    const padded = '#'.repeat(MiB + 1)
    const entries: FixtureEntry[] = [{ path: 'etc/sudoers.d/' }]
    for (let i = 0; i < 53; i++)
      entries.push({ path: `etc/sudoers.d/f${String(i).padStart(2, '0')}`, content: padded })
    const { report } = await gate(entries, ['identity'])
    const titles = unread(report).map((finding) => finding.title)
    expect(titles).toHaveLength(51)
    expect(titles).toContain(
      '3 more files were not analysed, for the same kinds of reasons as those named'
    )
    expect(report.verdict).toBe('fail')
  })
})
