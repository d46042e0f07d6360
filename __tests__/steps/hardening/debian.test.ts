import { beforeAll, describe, expect, it } from '@jest/globals'
import { runGate } from '../../../src/engine.js'
import { silentLogger } from '../../../src/log.js'
import { defaultPolicy } from '../../../src/policy/defaults.js'
import type { GateReport } from '../../../src/report/model.js'
import { hardeningStep } from '../../../src/steps/hardening/index.js'
import { debianRoot, debianSource, type DebianRoot } from '../../../__fixtures__/debian-root.js'

let root: DebianRoot

beforeAll(async () => {
  root = await debianRoot()
  if ('skip' in root) console.warn(`Debian false-positive test ${root.skip}`)
}, 300_000)

describe('hardening step on a clean Debian root (mmdebstrap minbase bookworm)', () => {
  it('reports no finding of high or critical severity, and only info otherwise', async () => {
    if ('skip' in root) return
    const { report } = await runGate(
      {
        image: 'oci:debian-bookworm-minbase',
        policy: defaultPolicy(),
        acquire: {
          platform: { os: 'linux', architecture: 'amd64' },
          insecureRegistries: [],
          env: {}
        }
      },
      silentLogger,
      [hardeningStep],
      () => debianSource(root as { tar: string; digest: string })
    )
    const summary = (r: GateReport): string[] =>
      r.findings.map((f) => `${f.severity} ${f.rule} ${f.subject}`)
    expect(summary(report)).toEqual([
      'info hardening/package-manager apt',
      'info hardening/package-manager dpkg'
    ])
    const notes = report.steps.find((step) => step.id === 'hardening')?.notes ?? []
    expect(notes[0]).toMatch(/^secret scan: \d{4,} text files \([\d.]+ MiB\) in 1 layers in \d+ ms/)
  })
})
