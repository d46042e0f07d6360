import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ConfigurationError } from '../../../src/errors.js'
import { parseRunInputs } from '../../../src/inputs.js'
import { BUILTIN_TESTS_YAML, builtinSuite } from '../../../src/steps/tests/builtin.js'
import { loadStructureTests } from '../../../src/steps/tests/load.js'
import { compilePattern, parseStructureTests } from '../../../src/steps/tests/parse.js'
import { CST_DOC_EXAMPLES } from './examples.js'

/** Drops the compiled regexes so suites compare as plain data. */
function plain(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value, (_key, v: unknown) => (v instanceof RegExp ? undefined : v))
  )
}

describe('parseStructureTests', () => {
  it("reads the schema examples of container-structure-test's documentation", () => {
    const suite = parseStructureTests(CST_DOC_EXAMPLES, 'docs.yaml')
    expect(plain(suite)).toEqual({
      file: 'docs.yaml',
      globalEnvVars: [
        { key: 'VIRTUAL_ENV', value: '/env', isRegex: false },
        { key: 'PATH', value: '/env/bin:$PATH', isRegex: false }
      ],
      runOptions: {
        privileged: false,
        allocateTty: false,
        envVars: [],
        capabilities: [],
        bindMounts: []
      },
      tests: [
        {
          kind: 'command',
          name: 'gunicorn flask',
          severity: 'high',
          line: 8,
          setup: [
            ['virtualenv', '/env'],
            ['pip', 'install', 'gunicorn', 'flask']
          ],
          teardown: [],
          envVars: [],
          exitCode: 0,
          command: 'which',
          args: ['gunicorn'],
          expectedOutput: [{ source: '/env/bin/gunicorn' }],
          excludedOutput: [],
          expectedError: [],
          excludedError: []
        },
        {
          kind: 'command',
          name: 'apt-get upgrade',
          severity: 'high',
          line: 13,
          setup: [],
          teardown: [],
          envVars: [],
          exitCode: 0,
          command: 'apt-get',
          args: ['-qqs', 'upgrade'],
          expectedOutput: [],
          excludedOutput: [{ source: '.*Inst.*Security.* | .*Security.*Inst.*' }],
          expectedError: [],
          excludedError: [{ source: '.*Inst.*Security.* | .*Security.*Inst.*' }]
        },
        {
          kind: 'file-existence',
          name: 'Root',
          severity: 'high',
          line: 19,
          path: '/',
          shouldExist: true,
          permissions: '-rw-r--r--',
          uid: 1000,
          gid: 1000,
          isExecutableBy: 'group',
          ifExists: []
        },
        {
          kind: 'file-content',
          name: 'Debian Sources',
          severity: 'high',
          line: 27,
          path: '/etc/apt/sources.list',
          expectedContents: [{ source: '.*httpredir\\.debian\\.org.*' }],
          excludedContents: [{ source: '.*gce_debian_mirror.*' }],
          ifExists: []
        },
        {
          kind: 'metadata',
          name: 'Metadata Test',
          severity: 'high',
          line: 32,
          envVars: [{ key: 'foo', value: 'baz' }],
          unboundEnvVars: [],
          labels: [
            { key: 'com.example.vendor', value: 'ACME Incorporated' },
            {
              key: 'build-date',
              value: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{6}$',
              pattern: { source: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{6}$' }
            }
          ],
          exposedPorts: ['8080', '2345'],
          unexposedPorts: [],
          volumes: ['/test'],
          unmountedVolumes: [],
          entrypoint: [],
          cmd: ['/bin/bash'],
          workdir: '/app',
          user: 'luke'
        },
        {
          kind: 'license',
          name: 'License Test',
          severity: 'high',
          line: 48,
          debian: true,
          files: ['/foo/bar', '/baz/bat']
        }
      ]
    })
  })

  it('reads JSON test files, as cst does', () => {
    const suite = parseStructureTests(
      '{"schemaVersion": "2.0.0", "fileExistenceTests": [{"name": "no shell", "path": "/bin/sh", "shouldExist": false}]}',
      'tests.json'
    )
    expect(suite.tests).toEqual([
      expect.objectContaining({ kind: 'file-existence', path: '/bin/sh', shouldExist: false })
    ])
  })

  it('defaults shouldExist to true and leaves uid/gid -1 unchecked, as cst UnmarshalYAML does', () => {
    const suite = parseStructureTests(
      'schemaVersion: 2.0.0\nfileExistenceTests:\n  - name: a\n    path: /a\n    uid: -1\n    gid: -1\n',
      'a.yaml'
    )
    expect(plain(suite.tests[0])).toEqual({
      kind: 'file-existence',
      name: 'a',
      severity: 'high',
      line: 3,
      path: '/a',
      shouldExist: true,
      ifExists: []
    })
  })

  it('resolves an alias to the last anchor of its name before it, as YAML 1.2 says', () => {
    const suite = parseStructureTests(
      [
        'schemaVersion: 2.0.0',
        'fileExistenceTests:',
        '  - {name: a, path: &p /etc/passwd, severity: &s low}',
        '  - {name: b, path: *p, severity: *s}',
        '  - {name: c, path: &p /etc/group}',
        '  - {name: d, path: *p}',
        ''
      ].join('\n'),
      'a.yaml'
    )
    expect(suite.tests.map((t) => [t.name, 'path' in t ? t.path : '', t.severity])).toEqual([
      ['a', '/etc/passwd', 'low'],
      ['b', '/etc/passwd', 'low'],
      ['c', '/etc/group', 'high'],
      ['d', '/etc/group', 'high']
    ])
  })

  it('refuses aliases that expand exponentially before reading any test', () => {
    const laughs = ['a: &a [x, x, x, x, x, x, x, x, x, x]']
    for (const [name, previous] of [
      ['b', 'a'],
      ['c', 'b'],
      ['d', 'c'],
      ['e', 'd']
    ]) {
      laughs.push(`${name}: &${name} [${Array(10).fill(`*${previous}`).join(', ')}]`)
    }
    expect(() =>
      parseStructureTests(`schemaVersion: 2.0.0\n${laughs.join('\n')}\n`, 'bomb.yaml')
    ).toThrow(
      new ConfigurationError(
        'structure-tests file "bomb.yaml": its aliases expand to more than 100 copies of an anchor, as a "billion laughs" attack does; write the values out or use fewer aliases.'
      )
    )
  })

  it('numbers repeated test names, which are the subjects of their findings', () => {
    const suite = parseStructureTests(
      'schemaVersion: 2.0.0\nfileExistenceTests:\n  - {name: t, path: /a}\n  - {name: t, path: /b}\nlicenseTests:\n  - debian: true\n  - files: [/x]\n',
      'a.yaml'
    )
    expect(suite.tests.map((t) => t.name)).toEqual([
      't',
      't (2)',
      'License Test',
      'License Test (2)'
    ])
  })

  it.each([
    [
      'an unknown test field',
      'schemaVersion: 2.0.0\nfileExistenceTests:\n  - name: Root\n    path: /\n    shouldExists: true\n',
      'structure-tests file "bad.yaml" line 5: unknown field "shouldExists" in fileExistenceTests[0]; use one of name, path, shouldExist, permissions, uid, gid, isExecutableBy, severity, ifExists, isNotReadableBy, isNotWritableBy (docs/structure-tests.md).'
    ],
    [
      'an unknown top-level field',
      'schemaVersion: 2.0.0\nfileExistanceTests: []\n',
      'structure-tests file "bad.yaml" line 2: unknown field "fileExistanceTests" in the file; use one of schemaVersion, globalEnvVars, commandTests, fileExistenceTests, fileContentTests, metadataTest, licenseTests, containerRunOptions (docs/structure-tests.md).'
    ],
    [
      'an unknown metadata field',
      'schemaVersion: 2.0.0\nmetadataTest:\n  env:\n    - key: a\n',
      'structure-tests file "bad.yaml" line 3: unknown field "env" in metadataTest; use one of envVars, unboundEnvVars, labels, exposedPorts, unexposedPorts, entrypoint, cmd, workdir, volumes, unmountedVolumes, user, severity (docs/structure-tests.md).'
    ],
    [
      'an unknown env var field',
      'schemaVersion: 2.0.0\nglobalEnvVars:\n  - key: A\n    val: b\n',
      'structure-tests file "bad.yaml" line 4: unknown field "val" in globalEnvVars[0]; use one of key, value, isRegex (docs/structure-tests.md).'
    ],
    [
      'malformed YAML',
      'schemaVersion: 2.0.0\nfileExistenceTests:\n  - name: "Root\n    path: /\n',
      'structure-tests file "bad.yaml" line 5: the YAML is malformed (Missing closing "quote); fix the syntax.'
    ],
    [
      'a repeated key',
      'schemaVersion: 2.0.0\ncommandTests: []\ncommandTests: []\n',
      'structure-tests file "bad.yaml" line 3: the YAML is malformed (Map keys must be unique); fix the syntax.'
    ],
    [
      'no schemaVersion',
      'fileExistenceTests: []\n',
      'structure-tests file "bad.yaml" line 1: field "schemaVersion" is missing; add "schemaVersion: 2.0.0".'
    ],
    [
      'another schemaVersion',
      'schemaVersion: "1.0.0"\n',
      'structure-tests file "bad.yaml" line 1: field "schemaVersion" is "1.0.0"; container-gate reads schemaVersion 2.0.0.'
    ],
    [
      'an empty file',
      '# nothing yet\n',
      'structure-tests file "bad.yaml" line 1: the file is empty; start it with "schemaVersion: 2.0.0".'
    ],
    [
      'a test without a name',
      'schemaVersion: 2.0.0\nfileContentTests:\n  - path: /etc/hosts\n',
      'structure-tests file "bad.yaml" line 3: fileContentTests[0] has no "name"; every test needs one.'
    ],
    [
      'a command test without a command',
      'schemaVersion: 2.0.0\ncommandTests:\n  - name: x\n    args: [a]\n',
      'structure-tests file "bad.yaml" line 3: commandTests[0] has no "command"; every test needs one.'
    ],
    [
      'a uid that is not a number',
      'schemaVersion: 2.0.0\nfileExistenceTests:\n  - name: a\n    path: /a\n    uid: root\n',
      'structure-tests file "bad.yaml" line 5: field "fileExistenceTests[0].uid" must be a whole number.'
    ],
    [
      'shouldExist that is not a boolean',
      'schemaVersion: 2.0.0\nfileExistenceTests:\n  - name: a\n    path: /a\n    shouldExist: "no"\n',
      'structure-tests file "bad.yaml" line 5: field "fileExistenceTests[0].shouldExist" must be true or false.'
    ],
    [
      'a bad permission string',
      'schemaVersion: 2.0.0\nfileExistenceTests:\n  - name: a\n    path: /a\n    permissions: "0644"\n',
      'structure-tests file "bad.yaml" line 5: field "fileExistenceTests[0].permissions" must be a Unix permission string such as -rw-r--r-- or drwxr-xr-x.'
    ],
    [
      'an unknown isExecutableBy',
      'schemaVersion: 2.0.0\nfileExistenceTests:\n  - name: a\n    path: /a\n    isExecutableBy: world\n',
      'structure-tests file "bad.yaml" line 5: field "fileExistenceTests[0].isExecutableBy" must be one of owner, group, other, any.'
    ],
    [
      'a relative path',
      'schemaVersion: 2.0.0\nfileContentTests:\n  - name: a\n    path: etc/hosts\n',
      'structure-tests file "bad.yaml" line 4: field "fileContentTests[0].path" must be an absolute path inside the image, e.g. /etc/passwd.'
    ],
    [
      'an invalid regex',
      'schemaVersion: 2.0.0\ncommandTests:\n  - name: x\n    command: echo\n    expectedOutput: ["(unclosed"]\n',
      'structure-tests file "bad.yaml" line 5: field "commandTests[0].expectedOutput[0]" is not a valid regex (Invalid regular expression: /(unclosed/: Unterminated group).'
    ],
    [
      'an invalid isRegex value',
      'schemaVersion: 2.0.0\nmetadataTest:\n  labels:\n    - key: a\n      value: "[x"\n      isRegex: true\n',
      'structure-tests file "bad.yaml" line 5: field "metadataTest.labels[0].value" is not a valid regex (Invalid regular expression: /[x/: Unterminated character class).'
    ],
    [
      'an empty setup command',
      'schemaVersion: 2.0.0\ncommandTests:\n  - name: x\n    command: echo\n    setup: [[]]\n',
      'structure-tests file "bad.yaml" line 5: field "commandTests[0].setup[0]" is an empty command; remove it.'
    ],
    [
      'an unknown severity',
      'schemaVersion: 2.0.0\nlicenseTests:\n  - debian: true\n    severity: urgent\n',
      'structure-tests file "bad.yaml" line 4: field "licenseTests[0].severity" must be one of critical, high, medium, low, info.'
    ],
    [
      'a section that is not a list',
      'schemaVersion: 2.0.0\nfileExistenceTests:\n  name: a\n',
      'structure-tests file "bad.yaml" line 3: field "fileExistenceTests" must be a list.'
    ]
  ])('rejects %s, naming the file, the line and the field', (_case, text, message) => {
    const parse = (): unknown => parseStructureTests(text, 'bad.yaml')
    expect(parse).toThrow(ConfigurationError)
    expect(parse).toThrow(message)
  })
})

describe('compilePattern', () => {
  it.each([
    ['(?i)^debian', 'Debian GNU/Linux', true],
    ['(?s)a.b', 'a\nb', true],
    ['a.b', 'a\nb', false],
    ['(?m)^b$', 'a\nb\nc', true],
    ['^b$', 'a\nb\nc', false]
  ])('takes Go leading flags: /%s/ on %j is %s', (source, text, matches) => {
    expect(compilePattern(source).regex.test(text)).toBe(matches)
  })
})

describe('the built-in pack', () => {
  it('is valid structure-test YAML', () => {
    expect(builtinSuite().tests.map((t) => `${t.kind}: ${t.name}`)).toEqual([
      'file-existence: no SSH directory for root',
      'file-existence: no SSH private keys in home directories',
      'file-existence: /tmp is world-writable with the sticky bit',
      'file-existence: /etc/shadow is not world-readable',
      'file-existence: no .git in application directories',
      'file-existence: CA certificates present when TLS clients are installed',
      'file-content: no private keys in home directories'
    ])
  })

  it('runs as parsed from its YAML: the generated copy is current, patterns compiled alike', () => {
    const fromYaml = parseStructureTests(BUILTIN_TESTS_YAML, 'built-in')
    expect(builtinSuite()).toEqual(fromYaml)
    const patterns = (suite: typeof fromYaml): RegExp[] =>
      suite.tests
        .flatMap((t) => (t.kind === 'file-content' ? t.excludedContents : []))
        .map((p) => p.regex)
    expect(patterns(builtinSuite()).map(String)).toEqual(patterns(fromYaml).map(String))
    expect(patterns(builtinSuite()).length).toBeGreaterThan(0)
  })

  it('is printed in docs/structure-tests.md exactly as it runs', () => {
    const docs = readFileSync(new URL('../../../docs/structure-tests.md', import.meta.url), 'utf8')
    expect(docs).toContain(`\`\`\`yaml\n${BUILTIN_TESTS_YAML}\`\`\``)
  })
})

describe('input structure-tests', () => {
  let dir: string
  let cwd: string
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'structure-tests-'))
    cwd = process.cwd()
    mkdirSync(join(dir, 'tests', 'nested'), { recursive: true })
    const file = (name: string): string =>
      `schemaVersion: 2.0.0\nfileExistenceTests:\n  - {name: ${name}, path: /${name}}\n`
    writeFileSync(join(dir, 'tests', 'b.yaml'), file('b'))
    writeFileSync(join(dir, 'tests', 'a.yaml'), file('a'))
    writeFileSync(join(dir, 'tests', 'nested', 'c.yml'), file('c'))
    writeFileSync(join(dir, 'tests', 'notes.txt'), 'not a test')
  })
  afterEach(() => {
    process.chdir(cwd)
    rmSync(dir, { recursive: true, force: true })
  })

  it('expands globs relative to the working directory, sorted, each file once', () => {
    const suites = loadStructureTests(['tests/b.yaml', 'tests/**/*.{yaml,yml}'], dir)
    expect(suites.map((s) => s.file)).toEqual([
      'tests/b.yaml',
      'tests/a.yaml',
      'tests/nested/c.yml'
    ])
  })

  it('refuses a file over 1 MiB before reading it', () => {
    const text = `schemaVersion: 2.0.0\n# ${'x'.repeat(1024 * 1024)}\n`
    writeFileSync(join(dir, 'tests', 'big.yaml'), text)
    expect(() => loadStructureTests(['tests/big.yaml'], dir)).toThrow(
      new ConfigurationError(
        `input "structure-tests" names "tests/big.yaml", which is ${text.length} bytes, more than the 1048576 bytes this input may be; shorten it.`
      )
    )
  })

  it('is parsed with the other inputs, so a bad file stops the gate before the image is read', () => {
    writeFileSync(
      join(dir, 'tests', 'bad.yaml'),
      'schemaVersion: 2.0.0\ncommandTests:\n  - nme: x\n'
    )
    process.chdir(dir)
    const parse = (files: string) => (): unknown =>
      parseRunInputs((name) => ({ image: 'oci:x', 'structure-tests': files })[name])
    expect(parse('tests/bad.yaml')).toThrow(
      'structure-tests file "tests/bad.yaml" line 3: unknown field "nme" in commandTests[0]; use one of name, setup, teardown, envVars, exitCode, command, args, expectedOutput, excludedOutput, expectedError, excludedError, severity (docs/structure-tests.md).'
    )
    expect(parse('tests/missing.yaml')).toThrow(
      `input "structure-tests" names "tests/missing.yaml", which does not exist; give the path of a container-structure-test YAML file (relative to ${dir}).`
    )
    expect(parse('none/*.yaml')).toThrow(
      `input "structure-tests" pattern "none/*.yaml" matches no file in ${dir}; fix the glob or remove it.`
    )
    const inputs = parseRunInputs(
      (name) =>
        ({
          image: 'oci:x',
          'structure-tests': 'tests/a.yaml\ntests/nested/*.yml',
          'builtin-tests': 'false',
          'container-runtime': 'podman'
        })[name]
    )
    expect(inputs.policy.tests.structureTests.map((s) => s.file)).toEqual([
      'tests/a.yaml',
      'tests/nested/c.yml'
    ])
    expect(inputs.policy.tests.builtinTests).toBe(false)
    expect(inputs.policy.tests.containerRuntime).toBe('podman')
  })

  it.each([
    ['builtin-tests', 'yes', 'input "builtin-tests" is "yes"; use true or false.'],
    [
      'container-runtime',
      'containerd',
      'input "container-runtime" is "containerd"; use one of auto, docker, podman, none.'
    ]
  ])('rejects %s %j', (name, value, message) => {
    expect(() => parseRunInputs((n) => ({ image: 'oci:x', [name]: value })[n])).toThrow(message)
  })
})
