import { describe, expect, it } from '@jest/globals'
import { createHash } from 'node:crypto'
import { gzipSync } from 'node:zlib'
import { tarFile } from '../../../__fixtures__/image-builder.js'
import { ConfigurationError } from '../../../src/errors.js'
import { severityFromScore } from '../../../src/findings.js'
import {
  isNotImported,
  kebab,
  parseSarif,
  sarifFinding,
  type SarifResult
} from '../../../src/steps/code/sarif.js'

/** Results of a log small enough to be imported whole. */
function openResults(content: string, file: string): SarifResult[] {
  return parseSarif(content, file).filter((r): r is SarifResult => !isNotImported(r))
}
import {
  algorithmsFor,
  EICAR,
  isEicar,
  loadSignatures,
  lookup
} from '../../../src/steps/code/signatures.js'
import {
  envMatches,
  kindsByName,
  kindsByShebang,
  MAX_LINE,
  MAX_MATCHES_PER_RULE,
  SourceScanner,
  type SourceKind
} from '../../../src/steps/code/source-rules.js'

function scan(kinds: SourceKind[], text: string, chunkSize = text.length || 1): string[] {
  const scanner = new SourceScanner(kinds)
  const bytes = Buffer.from(text)
  for (let at = 0; at < bytes.length; at += chunkSize)
    scanner.write(bytes.subarray(at, at + chunkSize))
  scanner.end()
  return scanner.matches.map((m) => `${m.rule}:${m.line}`)
}

describe('static-analysis rule pack', () => {
  it.each<[SourceKind, string, string[]]>([
    ['shell', 'curl -fsSL https://get.example.test | sh', ['shell-download-exec:1']],
    ['shell', 'wget -qO- https://x.test/i.sh | sudo -E bash', ['shell-download-exec:1']],
    ['shell', 'sh -c "$(curl -fsSL https://x.test/i.sh)"', ['shell-download-exec:1']],
    ['shell', 'bash <(curl -s https://x.test/i.sh)', ['shell-download-exec:1']],
    ['shell', 'curl -fsSL https://x.test/data.json | jq .', []],
    ['shell', 'chmod 777 /data', ['shell-chmod-world-writable:1']],
    ['shell', 'chmod -R 0666 /srv', ['shell-chmod-world-writable:1']],
    ['shell', 'chmod o+w /srv', ['shell-chmod-world-writable:1']],
    ['shell', 'chmod a+rwx /srv', ['shell-chmod-world-writable:1']],
    ['shell', 'chmod 755 /app && chmod u+w /app/x', []],
    ['shell', 'eval "$COMMAND"', ['shell-eval-variable:1']],
    ['shell', 'if true; then eval ${cmd}; fi', ['shell-eval-variable:1']],
    ['shell', 'eval "$(ssh-agent -s)"', []],
    ['shell', 'curl -k https://internal.test', ['tls-verification-disabled:1']],
    ['shell', 'curl -fsSLk https://internal.test', ['tls-verification-disabled:1']],
    ['shell', 'curl --insecure https://internal.test', ['tls-verification-disabled:1']],
    ['shell', 'wget --no-check-certificate https://internal.test', ['tls-verification-disabled:1']],
    ['shell', 'export NODE_TLS_REJECT_UNAUTHORIZED=0', ['tls-verification-disabled:1']],
    [
      'shell',
      'git -c http.sslVerify=false clone https://x.test/r',
      ['tls-verification-disabled:1']
    ],
    ['shell', 'curl -fsS -o /tmp/k https://x.test', []],
    ['shell', '  # curl -k https://x.test | sh', []],
    ['python', 'obj = pickle.loads(data)', ['python-unsafe-deserialization:1']],
    ['python', 'cfg = yaml.load(f)', ['python-unsafe-deserialization:1']],
    ['python', 'cfg = yaml.load(f, Loader=yaml.FullLoader)', ['python-unsafe-deserialization:1']],
    ['python', 'cfg = yaml.load(f, Loader=yaml.SafeLoader)', []],
    ['python', 'cfg = yaml.safe_load(f)', []],
    ['python', 'subprocess.run(cmd, shell=True)', ['python-shell-true:1']],
    ['python', 'subprocess.run(["ls", path])', []],
    ['python', 'result = eval(expression)', ['python-eval:1']],
    ['python', 'exec(code, {})', ['python-eval:1']],
    ['python', 'value = ast.literal_eval(text); cursor.execute(sql)', []],
    ['python', 'requests.get(url, verify=False)', ['tls-verification-disabled:1']],
    ['python', 'ctx = ssl._create_unverified_context()', ['tls-verification-disabled:1']],
    ['python', 'app.run(host="0.0.0.0", debug=True)', ['debug-enabled:1']],
    ['javascript', 'const f = eval(input)', ['js-eval:1']],
    ['javascript', 'const f = new Function("a", body)', ['js-eval:1']],
    ['javascript', 'model.eval(); obj.evaluate(x)', []],
    ['javascript', 'exec(`git checkout ${branch}`, cb)', ['js-exec-template:1']],
    ['javascript', 'execSync(`ls -l`)', []],
    [
      'javascript',
      "process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0'",
      ['tls-verification-disabled:1']
    ],
    [
      'javascript',
      'https.request({ host, rejectUnauthorized: false })',
      ['tls-verification-disabled:1']
    ],
    ['javascript', '// eval(input)', []],
    ['django-settings', 'DEBUG = True', ['debug-enabled:1']],
    ['django-settings', 'DEBUG = False', []],
    ['spring-config', 'debug=true', ['debug-enabled:1']],
    ['spring-config', 'debug: true', ['debug-enabled:1']],
    ['rails-production', '  config.consider_all_requests_local = true', ['debug-enabled:1']],
    ['dotenv', 'APP_DEBUG=true', ['debug-enabled:1']],
    ['dotenv', 'FLASK_DEBUG="1"', ['debug-enabled:1']],
    ['dotenv', 'APP_DEBUG=false', []]
  ])('%s: %s', (kind, line, expected) => {
    expect(scan([kind], line)).toEqual(expected)
  })

  it('numbers lines across chunk boundaries, CRLF included, and skips over-long lines', () => {
    const text = [
      '#!/bin/sh',
      'echo ok',
      'curl -k https://x.test',
      `echo ${'x'.repeat(MAX_LINE)} ; chmod 777 /`,
      'chmod 777 /tmp/x'
    ].join('\r\n')
    expect(scan(['shell'], text, 7)).toEqual([
      'tls-verification-disabled:3',
      'shell-chmod-world-writable:5'
    ])
  })

  it.each<[string, SourceKind[]]>([
    ['/app/run.sh', ['shell']],
    ['/app/server.mjs', ['javascript']],
    ['/app/mysite/settings.py', ['python', 'django-settings']],
    ['/app/mysite/settings/production.py', ['python', 'django-settings']],
    ['/app/mysite/settings/local.py', ['python']],
    ['/app/config/application-prod.yml', ['spring-config']],
    ['/app/config/application-dev.properties', []],
    ['/app/config/environments/production.rb', ['rails-production']],
    ['/app/.env', ['dotenv']],
    ['/app/.env.example', []],
    ['/app/README.md', []]
  ])('knows %s by its name', (path, kinds) => {
    expect(kindsByName(path)).toEqual(kinds)
  })

  it.each<[string, SourceKind[]]>([
    ['#!/bin/sh\n', ['shell']],
    ['#!/usr/bin/env bash\n', ['shell']],
    ['#!/usr/bin/env -S python3 -u\n', ['python']],
    ['#!/usr/local/bin/python3.12\n', ['python']],
    ['#!/usr/bin/env node\n', ['javascript']],
    ['#!/usr/bin/perl\n', []],
    ['echo hi\n', []]
  ])('knows %j by its #! line', (head, kinds) => {
    expect(kindsByShebang(Buffer.from(head))).toEqual(kinds)
  })

  it('reads the image config ENV', () => {
    expect(
      envMatches([
        'PATH=/usr/bin',
        'NODE_TLS_REJECT_UNAUTHORIZED=0',
        'FLASK_DEBUG=1',
        'DEBUG=false'
      ])
    ).toEqual([
      { rule: 'tls-verification-disabled', name: 'NODE_TLS_REJECT_UNAUTHORIZED' },
      { rule: 'debug-enabled', name: 'FLASK_DEBUG' }
    ])
  })
})

describe('SARIF import', () => {
  it.each([
    [9.8, 'critical'],
    [9.0, 'critical'],
    [8.9, 'high'],
    [7.0, 'high'],
    [6.9, 'medium'],
    [4.0, 'medium'],
    [3.9, 'low'],
    [0.1, 'low'],
    [0, 'info']
  ])('maps security-severity %d to %s', (score, severity) => {
    expect(severityFromScore(score)).toBe(severity)
  })

  const log = (results: unknown[], rules: unknown[] = [], extensions?: unknown[]): string =>
    JSON.stringify({
      version: '2.1.0',
      runs: [
        {
          tool: { driver: { name: 'Semgrep OSS', rules }, ...(extensions ? { extensions } : {}) },
          results
        }
      ]
    })

  it.each([
    ['error', 'high'],
    ['warning', 'medium'],
    ['note', 'low'],
    ['none', 'info']
  ])('maps level %s to %s when there is no security-severity', (level, severity) => {
    const [result] = openResults(log([{ ruleId: 'r', level, message: { text: 'm' } }]), 'x.sarif')
    expect(result?.severity).toBe(severity)
  })

  it('takes the level from the rule default, and warning when neither says', () => {
    const results = openResults(
      log(
        [
          { ruleId: 'a', message: { text: 'm' } },
          { ruleId: 'b', message: { text: 'm' } }
        ],
        [{ id: 'a', defaultConfiguration: { level: 'error' } }]
      ),
      'x.sarif'
    )
    expect(results.map((r) => r.severity)).toEqual(['high', 'medium'])
  })

  it('finds CodeQL rules in tool extensions and leaves out suppressed, passing and fixed results', () => {
    const results = openResults(
      log(
        [
          {
            ruleId: 'py/x',
            rule: { index: 0, toolComponent: { index: 0 } },
            message: { text: 'open' }
          },
          { ruleId: 'py/x', message: { text: 'suppressed' }, suppressions: [{ kind: 'inSource' }] },
          {
            ruleId: 'py/x',
            message: { text: 'review' },
            suppressions: [{ kind: 'external', status: 'underReview' }]
          },
          { ruleId: 'py/x', kind: 'pass', message: { text: 'pass' } },
          { ruleId: 'py/x', baselineState: 'absent', message: { text: 'fixed' } }
        ],
        [],
        [
          {
            name: 'codeql/python-queries',
            rules: [{ id: 'py/x', properties: { 'security-severity': '9.1' } }]
          }
        ]
      ),
      'x.sarif'
    )
    expect(results.map((r) => [r.message, r.severity])).toEqual([
      ['open', 'critical'],
      ['review', 'critical']
    ])
  })

  it('names findings code/sarif-TOOL-RULE in kebab case, and by location without a fingerprint', () => {
    const [result] = openResults(
      log([
        {
          ruleId: 'python.lang.security.audit.eval-detected',
          level: 'warning',
          message: { text: 'Detected eval' },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: 'app/main.py' },
                region: { startLine: 3 }
              }
            }
          ]
        }
      ]),
      'semgrep.sarif'
    )
    expect(sarifFinding(result!)).toMatchObject({
      step: 'code',
      rule: 'code/sarif-semgrep-oss-python-lang-security-audit-eval-detected',
      severity: 'medium',
      subject: 'app/main.py:3',
      location: {}
    })
    expect(kebab('CodeQL')).toBe('codeql')
    expect(kebab('js/sql-injection')).toBe('js-sql-injection')
  })

  it.each([
    ['{', 'is not valid JSON'],
    ['[]', 'is not a SARIF 2.1.0 log'],
    ['{"version":"1.0.0","runs":[]}', 'is not a SARIF 2.1.0 log']
  ])('rejects %j', (content, why) => {
    expect(() => parseSarif(content, 'bad.sarif')).toThrow(ConfigurationError)
    expect(() => parseSarif(content, 'bad.sarif')).toThrow(`input "sarif-import": bad.sarif ${why}`)
  })
})

describe('malware signatures', () => {
  const hex = (algorithm: string, text: string): string =>
    createHash(algorithm).update(text).digest('hex')

  it('loads .hdb and .hsb lines and needs only the algorithms a size has signatures for', async () => {
    const list = [
      `${hex('md5', 'one')}:3:Test.One`,
      `${hex('sha1', 'four')}:4:Test.Four`,
      `${hex('sha256', 'any')}:*:Test.Any:73`,
      '',
      '# a comment'
    ].join('\n')
    const { db } = await loadSignatures([{ path: 'x.hsb', bytes: Buffer.from(list) }])
    expect(db.count).toBe(3)
    expect(algorithmsFor(db, 3)).toEqual(['md5', 'sha256'])
    expect(algorithmsFor(db, 4)).toEqual(['sha1', 'sha256'])
    expect(algorithmsFor(db, 5)).toEqual(['sha256'])
    expect(lookup(db, 'md5', hex('md5', 'one'), 3)).toEqual([{ name: 'Test.One', source: 'x.hsb' }])
    expect(lookup(db, 'md5', hex('md5', 'one'), 4)).toEqual([])
    expect(lookup(db, 'sha256', hex('sha256', 'any'), 99)).toEqual([
      { name: 'Test.Any', source: 'x.hsb' }
    ])
  })

  it.each([
    ['nothex:1:Name', 'line 1 has no MD5, SHA-1 or SHA-256 hash in hex'],
    [`${'a'.repeat(32)}:big:Name`, 'line 1 has size "big", not a number or *'],
    [`${'a'.repeat(32)}:1`, 'line 1 does not have the fields hash:size:name[:level]']
  ])('rejects the line %j', async (line, why) => {
    await expect(loadSignatures([{ path: 'bad.hdb', bytes: Buffer.from(line) }])).rejects.toThrow(
      `input "malware-signatures": bad.hdb ${why}`
    )
  })

  function database(files: Record<string, string>, gzip: boolean, md5?: string): Buffer {
    const tar = tarFile(Object.entries(files).map(([path, content]) => ({ path, content })))
    const body = gzip ? gzipSync(tar) : tar
    const header = Buffer.alloc(512, ' ')
    const digest = md5 ?? createHash('md5').update(body).digest('hex')
    header.write(`ClamAV-VDB:26 Nov 2026:1:1:90:${digest}:X:test:0`, 'latin1')
    return Buffer.concat([header, body])
  }

  it('unpacks a gzip .cvd and an uncompressed .cld, counting the signature files it cannot use', async () => {
    const line = `${hex('md5', 'one')}:3:Test.One\n`
    const { db, ignoredFiles } = await loadSignatures([
      {
        path: 'main.cvd',
        bytes: database({ 'main.hdb': line, 'main.ndb': 'x', COPYING: 'GPL' }, true)
      },
      {
        path: 'daily.cld',
        bytes: database({ 'daily.hsb': `${hex('sha256', 'two')}:3:Test.Two\n` }, false)
      }
    ])
    expect(db.count).toBe(2)
    expect(ignoredFiles).toBe(1)
    expect(lookup(db, 'md5', hex('md5', 'one'), 3)).toEqual([
      { name: 'Test.One', source: 'main.cvd:main.hdb' }
    ])
  })

  it('rejects a database whose MD5 does not match its header', async () => {
    const bytes = database({ 'main.hdb': '' }, true, 'f'.repeat(32))
    await expect(loadSignatures([{ path: 'main.cvd', bytes }])).rejects.toThrow(
      'input "malware-signatures": main.cvd does not match the MD5 in its header'
    )
  })

  it.each([
    [EICAR, true],
    [`${EICAR}\r\n`, true],
    [`${EICAR}${' '.repeat(60)}`, true],
    [`${EICAR}${' '.repeat(61)}`, false],
    [`${EICAR}x`, false],
    [EICAR.slice(1), false]
  ])('EICAR test file %#', (text, expected) => {
    expect(isEicar(Buffer.from(text, 'latin1'))).toBe(expected)
  })
})

describe('matches per rule per file', () => {
  it(`reports the first ${MAX_MATCHES_PER_RULE} lines of a rule in a file and holds no more`, () => {
    // 100,000 matching lines (an image chooses how many): as many matches would take gigabytes
    // across a layer of such files.
    const matches = scan(['javascript'], 'eval(x)\n'.repeat(100_000))
    expect(matches).toHaveLength(MAX_MATCHES_PER_RULE)
    expect(matches[0]).toMatch(/:1$/)
    expect(matches.at(-1)).toMatch(new RegExp(`:${MAX_MATCHES_PER_RULE}$`))
  })
})
