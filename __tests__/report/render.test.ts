import { describe, expect, it } from '@jest/globals'
import type { GatedFinding } from '../../src/findings.js'
import { renderJson } from '../../src/report/json.js'
import { escapeMarkdown } from '../../src/report/escape.js'
import { inlineCode, renderMarkdown } from '../../src/report/markdown.js'
import type { GateReport } from '../../src/report/model.js'
import { countBySeverity } from '../../src/report/summary.js'
import { renderTable } from '../../src/report/table.js'

const LAYER = `sha256:${'1'.repeat(64)}`

const FINDINGS: GatedFinding[] = [
  {
    fingerprint: 'a4e0fed474593a8c',
    step: 'identity',
    rule: 'identity/root-user',
    severity: 'high',
    title: 'Container runs as root',
    detail: 'The image config sets no user. Add `USER 10001:10001`.',
    subject: '',
    location: {},
    blocking: true
  },
  {
    blocking: false,
    fingerprint: '0123456789abcdef',
    subject: '/usr/bin/wall',
    location: { layerDigest: LAYER, path: '/usr/bin/wall' },
    title: 'Setgid file /usr/bin/wall',
    severity: 'medium',
    rule: 'identity/setgid-file',
    step: 'identity'
  },
  {
    fingerprint: 'fedcba9876543210',
    step: 'identity',
    rule: 'identity/setuid-file',
    severity: 'low',
    title: 'Odd | *name* <b>',
    subject: '/opt/a|`b`\u001b[31m',
    location: { path: '/opt/a|`b`\u001b[31m' },
    blocking: false,
    suppressed: { reason: 'vendor tool', source: 'policy.yml' }
  }
]

function sample(): GateReport {
  return {
    schemaVersion: 1,
    tool: { name: 'container-gate', version: '0.1.0' },
    verdict: 'fail',
    image: {
      reference: 'ghcr.io/acme/app:1.0',
      digest: `sha256:${'a'.repeat(64)}`,
      configDigest: `sha256:${'c'.repeat(64)}`,
      platform: 'linux/amd64',
      layers: [
        { diffId: `sha256:${'d'.repeat(64)}`, digest: LAYER, size: 1234, createdBy: 'COPY . /app' }
      ]
    },
    steps: [
      {
        id: 'identity',
        title: 'Container validation',
        status: 'fail',
        durationMs: 12,
        notes: ['user (not set: root)']
      },
      {
        id: 'tests',
        title: 'Security unit tests',
        status: 'skipped',
        durationMs: 0,
        reason: 'not implemented'
      },
      {
        id: 'custody',
        title: 'Signing and chain of custody',
        status: 'error',
        durationMs: 1530,
        reason: 'key not found'
      }
    ],
    findings: FINDINGS,
    summary: { counts: countBySeverity(FINDINGS), blocking: 1, suppressed: 1 },
    durationMs: 2000
  }
}

describe('countBySeverity', () => {
  it('counts unsuppressed findings for every severity', () => {
    expect(countBySeverity(FINDINGS)).toEqual({ critical: 0, high: 1, medium: 1, low: 0, info: 0 })
  })
})

describe('renderJson', () => {
  it('writes contract keys in contract order, other keys after them alphabetically, and a final newline', () => {
    const report = sample()
    // A field this renderer does not know yet is kept, not dropped.
    ;(report.findings[1] as unknown as Record<string, unknown>)['zeta'] = { b: 1, a: 2 }
    expect(renderJson(report)).toBe(JSON_REPORT)
  })

  it('renders the same bytes whatever order the report was built in', () => {
    const report = sample()
    const reversed = Object.fromEntries(Object.entries(report).reverse()) as unknown as GateReport
    expect(renderJson(reversed)).toBe(renderJson(report))
  })
})

describe('renderTable', () => {
  it('prints the image, the steps, findings blocking first and the verdict', () => {
    expect(renderTable(sample(), { color: false })).toBe(TABLE)
  })

  it('colours with ANSI codes only when asked, padding before colouring', () => {
    expect(renderTable(sample(), { color: true })).toBe(TABLE_COLOR)
  })
})

describe('a report compared with a baseline, and warn mode', () => {
  /** The sample's findings as new (root-user) and unchanged (the others), one fixed, in warn mode. */
  function compared(): GateReport {
    const report = sample()
    report.mode = 'warn'
    report.findings = report.findings.map((f) => ({
      ...f,
      baseline: f.rule === 'identity/root-user' ? 'new' : 'unchanged'
    }))
    report.baseline = {
      source: 'base.json',
      new: 1,
      unchanged: 2,
      fixed: [
        {
          fingerprint: 'f'.repeat(16),
          rule: 'identity/empty-password',
          severity: 'critical',
          title: 'Account app has an empty password'
        }
      ],
      failOnNewOnly: true
    }
    return report
  }

  it('prints the comparison, marks each change new or unchanged, lists what was fixed and says warn mode does not fail', () => {
    const table = renderTable(compared(), { color: false })
    expect(table).toContain(
      'Baseline  base.json: 1 new, 2 unchanged, 1 fixed. Only new findings block (fail-on-new-only).'
    )
    expect(table).toContain('  HIGH      identity/root-user: Container runs as root  [new]')
    expect(table).toContain(
      '  MEDIUM    identity/setgid-file: Setgid file /usr/bin/wall  [unchanged]'
    )
    expect(table).toContain(
      'Fixed since the baseline (1)\n  CRITICAL  identity/empty-password: Account app has an empty password'
    )
    expect(table).toContain(
      'Verdict   FAIL (1 blocking finding, 1 step errored); warn mode: the run does not fail'
    )
  })

  it("says the same in Markdown, with the PR comment's markers", () => {
    const markdown = renderMarkdown(compared())
    expect(markdown).toContain(
      'Compared with the baseline <code>base.json</code>: **1 new**, 2 unchanged, 1 fixed. Only new findings block (fail-on-new-only).'
    )
    expect(markdown).toContain(
      '| high | <code>identity/root-user</code>: Container runs as root (🆕) |'
    )
    expect(markdown).toContain(
      '| medium | <code>identity/setgid-file</code>: Setgid file /usr/bin/wall |'
    )
    expect(markdown).toContain('<details><summary>Fixed since the baseline (1)</summary>')
    expect(markdown).toContain(
      '| critical | <code>identity/empty-password</code> | Account app has an empty password |'
    )
    expect(markdown).toContain('> `mode: warn`: the policy failed, but the run does not.')
  })

  it('names the first 20 fixed findings and counts the rest', () => {
    const report = compared()
    report.baseline!.fixed = Array.from({ length: 23 }, (_, i) => ({
      fingerprint: String(i).padStart(16, '0'),
      rule: 'identity/setuid-file',
      severity: 'low' as const,
      title: `Setuid file /usr/bin/t${i}`
    }))
    const table = renderTable(report, { color: false })
    expect(table).toContain('/usr/bin/t19\n')
    expect(table).not.toContain('/usr/bin/t20')
    expect(table).toContain('and 3 more (the JSON report lists them)')
    expect(renderMarkdown(report)).toContain('_And 3 more; the JSON report lists them all._')
  })
})

describe('renderMarkdown', () => {
  it('prints the verdict, steps, counts, blocking findings and the others folded away', () => {
    expect(renderMarkdown(sample())).toBe(MARKDOWN)
  })

  it('drops whole change and finding rows to fit maxLength and says how many it shows', () => {
    const markdown = renderMarkdown(sample(), { maxLength: 1100 })
    expect(markdown).toBe(MARKDOWN_1100)
    expect(markdown.length).toBeLessThanOrEqual(1100)
  })

  it('never exceeds maxLength, even when the header alone does not fit', () => {
    const markdown = renderMarkdown(sample(), { maxLength: 120 })
    expect(markdown.length).toBeLessThanOrEqual(120)
    expect(markdown).toMatch(/_Cut to fit the length limit; the JSON report has everything\._\n$/)
  })

  it('escapes markup in text and keeps any path intact in a code element', () => {
    expect(escapeMarkdown('a|b *c* _d_ <e> & [f](g) `h` ~i~ #j $k$ !l')).toBe(
      'a\\|b \\*c\\* \\_d\\_ &lt;e&gt; &amp; \\[f\\](g) \\`h\\` \\~i\\~ #\u200bj \\$k\\$ \\!l'
    )
    expect(inlineCode('/usr/bin/su')).toBe('<code>/usr/bin/su</code>')
    expect(inlineCode('/a``b|c')).toBe('<code>/a\\`\\`b\\|c</code>')
    expect(inlineCode('/a\nb')).toBe('<code>/a\\\\x0ab</code>')
  })
})

const JSON_REPORT = [
  '{',
  '  "schemaVersion": 1,',
  '  "tool": {',
  '    "name": "container-gate",',
  '    "version": "0.1.0"',
  '  },',
  '  "verdict": "fail",',
  '  "image": {',
  '    "reference": "ghcr.io/acme/app:1.0",',
  '    "digest": "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",',
  '    "configDigest": "sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc",',
  '    "platform": "linux/amd64",',
  '    "layers": [',
  '      {',
  '        "digest": "sha256:1111111111111111111111111111111111111111111111111111111111111111",',
  '        "diffId": "sha256:dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd",',
  '        "size": 1234,',
  '        "createdBy": "COPY . /app"',
  '      }',
  '    ]',
  '  },',
  '  "steps": [',
  '    {',
  '      "id": "identity",',
  '      "title": "Container validation",',
  '      "status": "fail",',
  '      "durationMs": 12,',
  '      "notes": [',
  '        "user (not set: root)"',
  '      ]',
  '    },',
  '    {',
  '      "id": "tests",',
  '      "title": "Security unit tests",',
  '      "status": "skipped",',
  '      "durationMs": 0,',
  '      "reason": "not implemented"',
  '    },',
  '    {',
  '      "id": "custody",',
  '      "title": "Signing and chain of custody",',
  '      "status": "error",',
  '      "durationMs": 1530,',
  '      "reason": "key not found"',
  '    }',
  '  ],',
  '  "findings": [',
  '    {',
  '      "fingerprint": "a4e0fed474593a8c",',
  '      "step": "identity",',
  '      "rule": "identity/root-user",',
  '      "severity": "high",',
  '      "title": "Container runs as root",',
  '      "detail": "The image config sets no user. Add `USER 10001:10001`.",',
  '      "blocking": true,',
  '      "subject": "",',
  '      "location": {}',
  '    },',
  '    {',
  '      "fingerprint": "0123456789abcdef",',
  '      "step": "identity",',
  '      "rule": "identity/setgid-file",',
  '      "severity": "medium",',
  '      "title": "Setgid file /usr/bin/wall",',
  '      "blocking": false,',
  '      "subject": "/usr/bin/wall",',
  '      "location": {',
  '        "path": "/usr/bin/wall",',
  '        "layerDigest": "sha256:1111111111111111111111111111111111111111111111111111111111111111"',
  '      },',
  '      "zeta": {',
  '        "a": 2,',
  '        "b": 1',
  '      }',
  '    },',
  '    {',
  '      "fingerprint": "fedcba9876543210",',
  '      "step": "identity",',
  '      "rule": "identity/setuid-file",',
  '      "severity": "low",',
  '      "title": "Odd | *name* <b>",',
  '      "blocking": false,',
  '      "subject": "/opt/a|`b`\\u001b[31m",',
  '      "location": {',
  '        "path": "/opt/a|`b`\\u001b[31m"',
  '      },',
  '      "suppressed": {',
  '        "reason": "vendor tool",',
  '        "source": "policy.yml"',
  '      }',
  '    }',
  '  ],',
  '  "summary": {',
  '    "counts": {',
  '      "critical": 0,',
  '      "high": 1,',
  '      "medium": 1,',
  '      "low": 0,',
  '      "info": 0',
  '    },',
  '    "blocking": 1,',
  '    "suppressed": 1',
  '  },',
  '  "durationMs": 2000',
  '}',
  ''
].join('\n')

const TABLE = [
  'container-gate 0.1.0',
  'Image     ghcr.io/acme/app:1.0',
  'Digest    sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
  'Platform  linux/amd64',
  '',
  'Steps',
  '  FAIL     identity     12 ms',
  '  SKIPPED  tests         0 ms  not implemented',
  '  ERROR    custody      1.5 s  key not found',
  '',
  'What to fix first: 1 change for 1 blocking finding',
  '  HIGH      identity/root-user: Container runs as root',
  '            The image config sets no user. Add `USER 10001:10001`.',
  '',
  'Other findings (1 finding in 1 change)',
  '  MEDIUM    identity/setgid-file: Setgid file /usr/bin/wall',
  '',
  'Suppressed (1)',
  '  LOW       identity/setuid-file: Odd | *name* <b>  /opt/a|`b`\\x1b[31m  (suppressed: vendor tool)',
  '',
  'Findings  0 critical, 1 high, 1 medium, 0 low, 0 info; 1 suppressed',
  'Verdict   FAIL (1 blocking finding, 1 step errored)',
  ''
].join('\n')

const TABLE_COLOR = [
  '\u001b[1mcontainer-gate 0.1.0\u001b[0m',
  'Image     ghcr.io/acme/app:1.0',
  'Digest    sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
  'Platform  linux/amd64',
  '',
  '\u001b[1mSteps\u001b[0m',
  '  \u001b[31mFAIL   \u001b[0m  identity     12 ms',
  '  \u001b[33mSKIPPED\u001b[0m  tests         0 ms  not implemented',
  '  \u001b[1;31mERROR  \u001b[0m  custody      1.5 s  key not found',
  '',
  '\u001b[1mWhat to fix first: 1 change for 1 blocking finding\u001b[0m',
  '  \u001b[31mHIGH      \u001b[0midentity/root-user: Container runs as root',
  '            \u001b[2mThe image config sets no user. Add `USER 10001:10001`.\u001b[0m',
  '',
  '\u001b[1mOther findings (1 finding in 1 change)\u001b[0m',
  '  \u001b[33mMEDIUM    \u001b[0midentity/setgid-file: Setgid file /usr/bin/wall',
  '',
  '\u001b[1mSuppressed (1)\u001b[0m',
  '  \u001b[36mLOW       \u001b[0midentity/setuid-file: Odd | *name* <b>  /opt/a|`b`\\x1b[31m  (suppressed: vendor tool)',
  '',
  'Findings  0 critical, 1 high, 1 medium, 0 low, 0 info; 1 suppressed',
  '\u001b[1;31mVerdict   FAIL (1 blocking finding, 1 step errored)\u001b[0m',
  ''
].join('\n')

const MARKDOWN = [
  '## ❌ container-gate: fail',
  '',
  'Image <code>ghcr.io/acme/app:1.0</code> at <code>sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa</code> (linux/amd64): 1 blocking finding.',
  '',
  '| Step | Status | Duration | Note |',
  '| --- | --- | ---: | --- |',
  '| Container validation | ❌ fail | 12 ms |  |',
  '| Security unit tests | ⏭️ skipped | 0 ms | not implemented |',
  '| Signing and chain of custody | 💥 error | 1.5 s | key not found |',
  '',
  '| Critical | High | Medium | Low | Info | Suppressed |',
  '| ---: | ---: | ---: | ---: | ---: | ---: |',
  '| 0 | 1 | 1 | 0 | 0 | 1 |',
  '',
  '### What to fix first (2 changes)',
  '',
  '| Severity | Change | Clears | Where |',
  '| --- | --- | --- | --- |',
  '| high | <code>identity/root-user</code>: Container runs as root | 1 high |  |',
  '| medium | <code>identity/setgid-file</code>: Setgid file /usr/bin/wall | 1 medium | <code>/usr/bin/wall</code> |',
  '',
  '### Blocking findings (1)',
  '',
  '| Severity | Rule | Finding | Details |',
  '| --- | --- | --- | --- |',
  '| high | <code>identity/root-user</code> | Container runs as root | The image config sets no user. Add \\`USER 10001:10001\\`. |',
  '',
  '<details><summary>Other findings (2)</summary>',
  '',
  '| Severity | Rule | Finding | Location |',
  '| --- | --- | --- | --- |',
  '| medium | <code>identity/setgid-file</code> | Setgid file /usr/bin/wall | <code>/usr/bin/wall</code> |',
  '| low | <code>identity/setuid-file</code> | Odd \\| \\*name\\* &lt;b&gt; (suppressed: vendor tool) | <code>/opt/a\\|\\`b\\`\\\\x1b\\[31m</code> |',
  '',
  '</details>',
  ''
].join('\n')

const MARKDOWN_1100 = [
  '## ❌ container-gate: fail',
  '',
  'Image <code>ghcr.io/acme/app:1.0</code> at <code>sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa</code> (linux/amd64): 1 blocking finding.',
  '',
  '| Step | Status | Duration | Note |',
  '| --- | --- | ---: | --- |',
  '| Container validation | ❌ fail | 12 ms |  |',
  '| Security unit tests | ⏭️ skipped | 0 ms | not implemented |',
  '| Signing and chain of custody | 💥 error | 1.5 s | key not found |',
  '',
  '| Critical | High | Medium | Low | Info | Suppressed |',
  '| ---: | ---: | ---: | ---: | ---: | ---: |',
  '| 0 | 1 | 1 | 0 | 0 | 1 |',
  '',
  '### What to fix first (2 changes)',
  '',
  '| Severity | Change | Clears |',
  '| --- | --- | --- |',
  '| high | <code>identity/root-user</code>: Container runs as root | 1 high |',
  '',
  '### Blocking findings (1)',
  '',
  '| Severity | Rule | Finding | Details |',
  '| --- | --- | --- | --- |',
  '| high | <code>identity/root-user</code> | Container runs as root | The image config sets no user. Add \\`USER 10001:10001\\`. |',
  '',
  '_Showing 1 of 2 changes and 1 of 3 findings to stay under 1100 characters; the JSON report has them all._',
  ''
].join('\n')
