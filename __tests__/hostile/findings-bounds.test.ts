/**
 * Hostile images, class "findings without end": an image decides how many findings a rule has and
 * how long the paths they name are (400 files of secrets under one 16,000-character directory took
 * the process out of memory in JSON.stringify). The report lists a bounded number of findings with
 * every image string cut, one more finding per cut rule stands for the rest, and the verdict is
 * exactly the one the whole list gives.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildImage, type FixtureEntry } from '../../__fixtures__/image-builder.js'
import { ACQUIRE, memorySource } from '../../__fixtures__/memory-source.js'
import { tokenLike } from '../../__fixtures__/tokens.js'
import { runGate, type GateRequest } from '../../src/engine.js'
import {
  REPORTED_PATH_CHARS,
  SHOWN_PATH_CHARS,
  STEP_IDS,
  TITLE_CHARS,
  type GatedFinding
} from '../../src/findings.js'
import { silentLogger } from '../../src/log.js'
import { MAX_CODE_FINDINGS } from '../../src/steps/code/index.js'
import { MAX_SECRET_FINDINGS } from '../../src/steps/hardening/index.js'
import { MAX_FILE_FINDINGS } from '../../src/steps/identity/index.js'
import { defaultPolicy } from '../../src/policy/defaults.js'
import {
  listFindings,
  MAX_LISTED_FINDINGS,
  stepStatus,
  verdict
} from '../../src/policy/evaluate.js'
import type { Policy } from '../../src/policy/policy.js'
import type { Ignore } from '../../src/policy/suppress.js'
import { renderComment } from '../../src/github/comment.js'
import { renderJson } from '../../src/report/json.js'
import { renderMarkdown } from '../../src/report/markdown.js'
import type { GateReport } from '../../src/report/model.js'
import { renderSarif } from '../../src/report/sarif.js'
import { renderTable } from '../../src/report/table.js'

const RULE = 'hardening/secret-github-pat'
/** The secret scanner reports at most 20 distinct values of one rule per file. */
const PER_FILE = 20
/** 80 directories of 199 characters: a path of about 16,000, under the 16,383 a path may have. */
const DEEP = `app/${Array.from({ length: 80 }, (_, i) => `${i % 10}`.repeat(199)).join('/')}`

/** A file of `PER_FILE` distinct GitHub tokens (critical). */
function secrets(path: string): FixtureEntry {
  const lines = Array.from({ length: PER_FILE }, () => `TOKEN=ghp_${tokenLike(36)}`)
  return { path, content: `${lines.join('\n')}\n` }
}

/** Only hardening runs, on a non-root image, so every finding is a secret's. */
function hardeningOnly(change: (policy: Policy) => void = () => undefined): Policy {
  const policy = defaultPolicy()
  for (const id of STEP_IDS) policy.steps[id].enabled = id === 'hardening'
  change(policy)
  return policy
}

async function scan(
  entries: FixtureEntry[] | FixtureEntry[][],
  policy: Policy,
  request: Partial<GateRequest> = {}
): Promise<GateReport> {
  const layers = (
    entries.length > 0 && Array.isArray(entries[0]) ? entries : [entries]
  ) as FixtureEntry[][]
  const image = buildImage({
    layers: layers.map((layer) => ({ entries: layer })),
    config: { User: '10001:10001' }
  })
  const { report } = await runGate(
    { image: 'oci:test', policy, acquire: ACQUIRE, ...request },
    silentLogger,
    undefined,
    () => memorySource(image)
  )
  return report
}

function isBlocking(finding: GatedFinding): boolean {
  return finding.blocking && finding.suppressed === undefined
}

describe('an image with more secrets under one deep directory than a report lists', () => {
  const files = MAX_LISTED_FINDINGS / PER_FILE + 5
  const total = files * PER_FILE
  let report: GateReport

  beforeAll(async () => {
    report = await scan(
      Array.from({ length: files }, (_, i) => secrets(`${DEEP}/f${i}.env`)),
      hardeningOnly()
    )
  }, 120_000)

  it('lists at most the bound and counts the rest in one blocking finding of the rule', () => {
    const ofRule = report.findings.filter((finding) => finding.rule === RULE)
    const more = ofRule.filter((finding) => finding.unlisted !== undefined)
    const listed = ofRule.length - more.length
    expect(listed).toBe(MAX_LISTED_FINDINGS)
    expect(report.findings).toHaveLength(MAX_LISTED_FINDINGS + 1)
    expect(more).toHaveLength(1)
    const rest = total - MAX_LISTED_FINDINGS
    expect(more[0]).toMatchObject({
      rule: RULE,
      severity: 'critical',
      blocking: true,
      title: `${rest} more ${RULE} findings not listed (${rest} critical)`,
      location: {}
    })
    expect(more[0]!.suppressed).toBeUndefined()
    expect(more[0]!.unlisted).toMatchObject({
      count: rest,
      counts: { critical: rest, high: 0, medium: 0, low: 0, info: 0 },
      blocking: rest,
      suppressed: 0
    })
    const prints = new Set([
      ...ofRule.map((finding) => finding.fingerprint),
      ...more[0]!.unlisted!.fingerprints
    ])
    expect(prints.size).toBe(total + 1)
    // After the listed ones: a rule's first finding is one to fix.
    expect(ofRule.at(-1)).toBe(more[0])
  })

  it('keeps the verdict, the step status and the counts of every finding', () => {
    expect(report.verdict).toBe('fail')
    expect(report.steps.find((step) => step.id === 'hardening')?.status).toBe('fail')
    expect(report.summary).toEqual({
      counts: { critical: total, high: 0, medium: 0, low: 0, info: 0 },
      blocking: total,
      suppressed: 0
    })
  })

  it('cuts the deep path in titles and locations, keeping both of its ends', () => {
    const listed = report.findings.filter((finding) => finding.unlisted === undefined)
    for (const finding of listed) {
      const path = finding.location.path!
      expect(path).toHaveLength(REPORTED_PATH_CHARS)
      expect(path).toMatch(/^\/app\/0{199}\/.*….*\/f\d+\.env$/)
      expect(finding.title.length).toBeLessThanOrEqual(SHOWN_PATH_CHARS + 100)
      expect(finding.title).toMatch(
        /^GitHub personal access token \(classic\) in \/app\/0{123}…9+\/f\d+\.env$/
      )
      expect(finding.subject.length).toBeLessThanOrEqual(REPORTED_PATH_CHARS)
    }
  })

  it('renders every format within a bound', () => {
    const json = renderJson(report)
    const perFinding = 2 * REPORTED_PATH_CHARS + TITLE_CHARS + 1_024
    expect(json.length).toBeLessThan(report.findings.length * perFinding + total * 32)
    expect(JSON.parse(json).findings).toHaveLength(report.findings.length)
    const markdown = renderMarkdown(report)
    expect(markdown.length).toBeLessThanOrEqual(65_536)
    // The change clears every finding of the rule, listed or not.
    expect(markdown).toMatch(
      new RegExp(
        `<code>${RULE}</code> ×${total}: GitHub .* and ${total - 1} more like it \\| ${total} critical \\|`
      )
    )
    expect(markdown).toMatch(/_Showing \d+ of 1 change and \d+ of 10001 findings to stay under/)
    // A result names the path a few times: in its location, logical location and properties.
    expect(renderSarif(report).length).toBeLessThan(report.findings.length * 4 * perFinding)
    const table = renderTable(report, { color: false })
    expect(table.length).toBeLessThan(65_536)
    expect(table).toContain(`What to fix first: 1 change for ${total} blocking findings`)
    expect(table).toContain(
      `CRITICAL  ${RULE} ×${total}: GitHub personal access token (classic) in`
    )
  })

  it('counts every finding of the rule in the pull-request comment', () => {
    const comment = renderComment(report, { marker: '<!-- test -->' })
    expect(comment).toContain(`What to fix first: 1 change for ${total} blocking findings`)
  })

  it('renders the Markdown summary of more rows than a string can hold', () => {
    // 100 copies: 1,000,000 rows of about 700 characters, beyond V8's longest string.
    const huge = { ...report, findings: Array.from({ length: 100 }, () => report.findings).flat() }
    const markdown = renderMarkdown(huge)
    expect(markdown.length).toBeLessThanOrEqual(65_536)
    expect(markdown).toMatch(/of 1000100 findings to stay under 65536 characters/)
  })
})

describe('the finding standing for unlisted ones, under every policy', () => {
  // 600 critical tokens, and 600 under a package's test tree, reported as low.
  const entries = [
    ...Array.from({ length: 30 }, (_, i) => secrets(`app/conf/f${i}.env`)),
    ...Array.from({ length: 30 }, (_, i) =>
      secrets(`usr/lib/node_modules/pkg/test/fixtures/f${i}.env`)
    )
  ]
  const ignoreApp: Ignore[] = [
    { path: '/app/**', reason: 'rotated', source: '.container-gate.yml:3' }
  ]
  const ignoreAll: Ignore[] = [{ rule: RULE, reason: 'test keys', source: '.container-gate.yml:7' }]
  // [policy, ignores, verdict] — each checked with lists cut after 100, 700 and 1,100 findings.
  const cases: Array<[string, (policy: Policy) => void, Ignore[], 'pass' | 'fail']> = [
    ['the default fail-on (high)', () => undefined, [], 'fail'],
    ['fail-on low', (p) => (p.steps.hardening.failOn = 'low'), [], 'fail'],
    ['fail-on none', (p) => (p.steps.hardening.failOn = 'none'), [], 'pass'],
    ['the rule at warn', (p) => (p.rules[RULE] = 'warn'), [], 'pass'],
    ['the rule at error', (p) => (p.rules[RULE] = 'error'), [], 'fail'],
    ['the critical ones ignored', () => undefined, ignoreApp, 'pass'],
    [
      'the critical ones ignored, fail-on low',
      (p) => (p.steps.hardening.failOn = 'low'),
      ignoreApp,
      'fail'
    ],
    ['every one ignored', (p) => (p.rules[RULE] = 'error'), ignoreAll, 'pass']
  ]

  it.each(cases)(
    'blocks exactly when one it stands for blocks: %s',
    async (_name, change, ignores, expected) => {
      const report = await scan(entries, hardeningOnly(change), { ignores })
      expect(report.verdict).toBe(expected)
      expect(report.findings).toHaveLength(1_200)
      const byPrint = new Map(report.findings.map((finding) => [finding.fingerprint, finding]))
      for (const max of [100, 700, 1_100]) {
        const listed = listFindings(report.findings, max)
        const [more, ...others] = listed.filter((finding) => finding.unlisted !== undefined)
        expect(others).toEqual([])
        const represented = more!.unlisted!.fingerprints.map((print) => byPrint.get(print)!)
        expect(listed.length - 1 + represented.length).toBe(1_200)
        expect(more!.blocking).toBe(represented.some(isBlocking))
        expect(more!.suppressed !== undefined).toBe(
          represented.every((f) => f.suppressed !== undefined)
        )
        expect(verdict(listed, report.steps)).toBe(report.verdict)
        expect(stepStatus(listed)).toBe(report.steps.find((s) => s.id === 'hardening')!.status)
        // Blocking ones are listed first: what is cut never blocks while a listed one does not.
        if (more!.blocking) expect(listed.filter((f) => f !== more).every(isBlocking)).toBe(true)
      }
    },
    60_000
  )

  it('takes the severity of the worst one not suppressed', async () => {
    const report = await scan(entries, hardeningOnly())
    const more = (max: number): GatedFinding =>
      listFindings(report.findings, max).find((finding) => finding.unlisted !== undefined)!
    expect([more(100).severity, more(100).blocking, more(100).title]).toEqual([
      'critical',
      true,
      `1100 more ${RULE} findings not listed (500 critical, 600 low)`
    ])
    expect([more(700).severity, more(700).blocking, more(700).title]).toEqual([
      'low',
      false,
      `500 more ${RULE} findings not listed (500 low)`
    ])
  }, 60_000)

  it('lists every finding of a rule under its share, the noisy rule the rest', async () => {
    const npm = Array.from({ length: 3 }, (_, i) => ({
      path: `srv/n${i}.env`,
      content: `NPM_TOKEN=npm_${tokenLike(36)}\n`
    }))
    const listed = listFindings((await scan([...entries, ...npm], hardeningOnly())).findings, 100)
    const count = (rule: string): number =>
      listed.filter((finding) => finding.rule === rule && finding.unlisted === undefined).length
    expect([count('hardening/secret-npm-token'), count(RULE), listed.length]).toEqual([3, 97, 101])
  }, 60_000)

  describe('with a baseline report that lists only some of them', () => {
    let dir: string
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'findings-bounds-'))
    })
    afterAll(() => rmSync(dir, { recursive: true, force: true }))

    it('knows the unlisted ones: with fail-on-new-only none of them is new or blocks', async () => {
      const base = await scan(entries, hardeningOnly())
      const baseline = join(dir, 'base.json')
      writeFileSync(baseline, renderJson({ ...base, findings: listFindings(base.findings, 100) }))
      const report = await scan(entries, hardeningOnly(), { baseline, failOnNewOnly: true })
      expect(report.verdict).toBe('pass')
      expect(report.baseline).toMatchObject({ new: 0, unchanged: 1_200, fixed: [] })
      expect(report.findings.filter((finding) => finding.baseline === 'new')).toEqual([])
    }, 60_000)
  })
})

/** Runs one step on an image of `layers`, under `policy` changed by `change`. */
async function runStep(
  step: (typeof STEP_IDS)[number],
  layers: FixtureEntry[][],
  change: (policy: Policy) => void = () => undefined,
  request: Partial<GateRequest> = {}
): Promise<GateReport> {
  const policy = defaultPolicy()
  for (const id of STEP_IDS) policy.steps[id].enabled = id === step
  change(policy)
  return scan(layers, policy, request)
}

function notListed(report: GateReport, rule: string): GatedFinding[] {
  return report.findings.filter((f) => f.rule === rule && f.unlisted !== undefined)
}

describe('an image with more secrets than a scan makes in full', () => {
  it('judges the rest as findings and counts them in one finding of their rule', async () => {
    const report = await runStep('hardening', [
      Array.from({ length: MAX_SECRET_FINDINGS / PER_FILE + 10 }, (_, i) =>
        secrets(`app/a/f${i}.env`)
      )
    ])
    const total = MAX_SECRET_FINDINGS + 10 * PER_FILE
    expect(report.summary.counts.critical).toBe(total)
    expect(report.summary.blocking).toBe(total)
    const more = notListed(report, RULE)
    expect(more).toHaveLength(1)
    expect(more[0]!.unlisted!.count).toBe(total - MAX_LISTED_FINDINGS)
    expect(more[0]).toMatchObject({ severity: 'critical', blocking: true })
    expect(report.verdict).toBe('fail')
  }, 120_000)
})

describe('an image with more static-analysis matches than a scan makes in full', () => {
  it('judges the rest as findings and counts them in one finding of their rule', async () => {
    const script = { content: `${'curl -k https://example.invalid/x\n'.repeat(20)}` }
    const report = await runStep('code', [
      Array.from({ length: MAX_CODE_FINDINGS / 20 + 10 }, (_, i) => ({
        path: `app/a/s${i}.sh`,
        ...script
      }))
    ])
    const total = MAX_CODE_FINDINGS + 200
    expect(report.summary.counts.high).toBe(total)
    const more = notListed(report, 'code/tls-verification-disabled')
    expect(more).toHaveLength(1)
    expect(more[0]).toMatchObject({ severity: 'high', blocking: true })
    expect(more[0]!.unlisted!.count).toBe(total - MAX_LISTED_FINDINGS)
  }, 120_000)
})

/** `count` files with `mode` under `dir`. */
function withBits(dir: string, count: number, mode: number): FixtureEntry[] {
  return Array.from({ length: count }, (_, i) => ({ path: `${dir}/t${i}`, content: 'x', mode }))
}

describe("findings past a step's bound, under the policy", () => {
  // More setgid files (medium) than the identity step makes in full, so later files are dropped.
  const flood = withBits('usr/local/a', MAX_FILE_FINDINGS + 5, 0o2755)
  const late = withBits('usr/local/z', 3, 0o4755)

  it('keeps a rule override that makes a dropped finding block', async () => {
    const report = await runStep('identity', [flood, late], (policy) => {
      policy.steps.identity.failOn = 'critical'
      policy.rules['identity/setuid-file'] = 'error'
    })
    const more = notListed(report, 'identity/setuid-file')
    expect(more).toHaveLength(1)
    expect(more[0]).toMatchObject({ blocking: true, severity: 'high' })
    expect(report.verdict).toBe('fail')
    // Without the setuid files nothing blocks at fail-on critical.
    const quiet = await runStep('identity', [flood], (policy) => {
      policy.steps.identity.failOn = 'critical'
      policy.rules['identity/setuid-file'] = 'error'
    })
    expect(quiet.verdict).toBe('pass')
  }, 120_000)

  it('lets a path ignore suppress only the dropped findings it matches', async () => {
    const ignores = [{ path: '/usr/local/a/**', reason: 'vendored', source: 'test' }]
    const report = await runStep('identity', [flood, late], () => undefined, { ignores })
    expect(report.verdict).toBe('fail')
    expect(notListed(report, 'identity/setuid-file')[0]).toMatchObject({ blocking: true })
    const only = await runStep('identity', [flood], () => undefined, { ignores })
    expect(only.summary.blocking).toBe(0)
  }, 120_000)

  it('drops nothing into the count from a rule that is off', async () => {
    const report = await runStep('identity', [flood, late], (policy) => {
      policy.rules['identity/setgid-file'] = 'off'
    })
    expect(report.findings.filter((f) => f.rule === 'identity/setgid-file')).toEqual([])
    expect(report.summary.counts.medium).toBe(0)
    expect(report.summary.counts.high).toBe(3)
  }, 120_000)

  it('knows which dropped findings are new against a baseline', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dropped-baseline-'))
    try {
      const before = await runStep('identity', [
        withBits('usr/local/z', MAX_FILE_FINDINGS + 5, 0o4755)
      ])
      const file = join(dir, 'baseline.json')
      writeFileSync(file, renderJson(before))
      const after = await runStep(
        'identity',
        [
          withBits('usr/local/z', MAX_FILE_FINDINGS + 5, 0o4755),
          withBits('usr/local/zz', 3, 0o4755)
        ],
        () => undefined,
        { baseline: file, failOnNewOnly: true }
      )
      // The setuid files and the missing HEALTHCHECK were there before.
      expect(after.baseline).toMatchObject({ new: 3, unchanged: MAX_FILE_FINDINGS + 5 + 1 })
      expect(after.summary.blocking).toBe(3)
      expect(after.verdict).toBe('fail')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }, 120_000)
})
