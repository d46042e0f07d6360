/**
 * Reads a container-structure-test file (YAML or JSON, schemaVersion 2.0.0) into a suite. Like
 * cst, which unmarshals strictly (yaml.UnmarshalStrict), an unknown field is an error; every
 * error names the file, the line and the field. Regexes are compiled here, so a bad one stops
 * the gate before the image is read.
 */
import {
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  visit,
  type Alias,
  type Document,
  type Node,
  type YAMLMap
} from 'yaml'
import { ConfigurationError } from '../../errors.js'
import { yamlData } from '../../policy/yaml.js'
import { isSeverity, SEVERITIES, type Severity } from '../../findings.js'
import {
  type CommandTest,
  type ContainerRunOptions,
  type EnvVar,
  type ExpectedPair,
  type FileContentTest,
  type FileExistenceTest,
  type LicenseTest,
  type MetadataTest,
  type Pattern,
  type PermissionClass,
  type StructureTest,
  type StructureTestSuite
} from './suite.js'

export const SCHEMA_VERSION = '2.0.0'
const DEFAULT_SEVERITY: Severity = 'high'
const PERMISSION_CLASSES: readonly PermissionClass[] = ['owner', 'group', 'other', 'any']

/** Fields of each test kind: cst's v2 schema first, then our extensions. */
const FIELDS = {
  top: [
    'schemaVersion',
    'globalEnvVars',
    'commandTests',
    'fileExistenceTests',
    'fileContentTests',
    'metadataTest',
    'licenseTests',
    'containerRunOptions'
  ],
  command: [
    'name',
    'setup',
    'teardown',
    'envVars',
    'exitCode',
    'command',
    'args',
    'expectedOutput',
    'excludedOutput',
    'expectedError',
    'excludedError',
    'severity'
  ],
  fileExistence: [
    'name',
    'path',
    'shouldExist',
    'permissions',
    'uid',
    'gid',
    'isExecutableBy',
    'severity',
    'ifExists',
    'isNotReadableBy',
    'isNotWritableBy'
  ],
  fileContent: ['name', 'path', 'expectedContents', 'excludedContents', 'severity', 'ifExists'],
  metadata: [
    'envVars',
    'unboundEnvVars',
    'labels',
    'exposedPorts',
    'unexposedPorts',
    'entrypoint',
    'cmd',
    'workdir',
    'volumes',
    'unmountedVolumes',
    'user',
    'severity'
  ],
  license: ['debian', 'files', 'severity'],
  envVar: ['key', 'value', 'isRegex'],
  runOptions: [
    'user',
    'privileged',
    'allocateTty',
    'envFile',
    'envVars',
    'capabilities',
    'bindMounts'
  ]
} as const

/** Go's regexp takes leading flag groups such as `(?i)`; JavaScript takes them as flags. */
export function compilePattern(source: string): Pattern {
  const match = /^\(\?([imsU]+)\)/.exec(source)
  const goFlags = match?.[1] ?? ''
  if (goFlags.includes('U'))
    throw new SyntaxError('the (?U) flag (ungreedy) has no JavaScript form')
  const regex = new RegExp(source.slice(match?.[0].length ?? 0), goFlags)
  return { source, regex }
}

/**
 * Each alias's node: the last node before it with its anchor (YAML 1.2 "Alias Nodes"), found in
 * one walk. Alias.resolve without a context walks the whole document per alias, which a file of
 * many aliases turns quadratic.
 */
function aliasTargets(document: Document): Map<Alias, Node> {
  const anchors = new Map<string, Node>()
  const targets = new Map<Alias, Node>()
  visit(document, {
    Alias: (_key, alias) => {
      const target = anchors.get(alias.source)
      if (target !== undefined) targets.set(alias, target)
    },
    Node: (_key, node) => {
      if (node.anchor !== undefined) anchors.set(node.anchor, node)
    }
  })
  return targets
}

class Reader {
  private readonly aliases: Map<Alias, Node>

  constructor(
    readonly file: string,
    readonly document: Document,
    readonly lines: LineCounter
  ) {
    this.aliases = aliasTargets(document)
  }

  line(node: Node | null | undefined): number {
    const offset = node?.range?.[0] ?? 0
    return this.lines.linePos(offset).line
  }

  fail(node: Node | null | undefined, message: string): never {
    throw new ConfigurationError(
      `structure-tests file "${this.file}" line ${this.line(node)}: ${message}`,
      'STRUCTURE_TESTS'
    )
  }

  deref(node: unknown): Node | null {
    if (isAlias(node)) return this.aliases.get(node) ?? null
    return (node as Node | null | undefined) ?? null
  }

  /** The fields of a mapping, rejecting any field not in `known`. */
  fields(node: Node | null, where: string, known: readonly string[]): Map<string, Node | null> {
    if (!isMap(node)) this.fail(node, `${where} must be a mapping of fields (${known.join(', ')}).`)
    const fields = new Map<string, Node | null>()
    for (const pair of (node as YAMLMap).items) {
      const keyNode = this.deref(pair.key)
      const key = isScalar(keyNode) ? String(keyNode.value) : ''
      if (!known.includes(key)) {
        this.fail(
          keyNode ?? node,
          `unknown field "${key}" in ${where}; use one of ${known.join(', ')} (docs/structure-tests.md).`
        )
      }
      fields.set(key, this.deref(pair.value))
    }
    return fields
  }

  string(node: Node | null, field: string): string {
    if (!isScalar(node) || node.value === null || typeof node.value === 'object') {
      this.fail(node, `field "${field}" must be a string.`)
    }
    return String(node.value)
  }

  boolean(node: Node | null, field: string): boolean {
    if (!isScalar(node) || typeof node.value !== 'boolean') {
      this.fail(node, `field "${field}" must be true or false.`)
    }
    return node.value
  }

  integer(node: Node | null, field: string): number {
    if (!isScalar(node) || typeof node.value !== 'number' || !Number.isInteger(node.value)) {
      this.fail(node, `field "${field}" must be a whole number.`)
    }
    return node.value
  }

  list<T>(node: Node | null, field: string, item: (node: Node | null, field: string) => T): T[] {
    if (node === null || (isScalar(node) && node.value === null)) return []
    if (!isSeq(node)) this.fail(node, `field "${field}" must be a list.`)
    return node.items.map((child, i) => item(this.deref(child), `${field}[${i}]`))
  }

  strings(node: Node | null, field: string): string[] {
    return this.list(node, field, (child, where) => this.string(child, where))
  }

  patterns(node: Node | null, field: string): Pattern[] {
    return this.list(node, field, (child, where) => this.pattern(child, where))
  }

  pattern(node: Node | null, field: string): Pattern {
    const source = this.string(node, field)
    try {
      return compilePattern(source)
    } catch (error) {
      this.fail(node, `field "${field}" is not a valid regex (${(error as Error).message}).`)
    }
  }

  severity(node: Node | null | undefined, field: string): Severity {
    if (node === undefined) return DEFAULT_SEVERITY
    const value = this.string(node, field).toLowerCase()
    if (!isSeverity(value))
      this.fail(node, `field "${field}" must be one of ${SEVERITIES.join(', ')}.`)
    return value
  }

  permissionClass(node: Node | null | undefined, field: string): PermissionClass | undefined {
    if (node === undefined) return undefined
    const value = this.string(node, field)
    const known = PERMISSION_CLASSES.find((candidate) => candidate === value)
    if (known === undefined)
      this.fail(node, `field "${field}" must be one of ${PERMISSION_CLASSES.join(', ')}.`)
    return known
  }

  required(fields: Map<string, Node | null>, key: string, where: string, node: Node | null): Node {
    const value = fields.get(key)
    if (value === undefined || value === null || (isScalar(value) && value.value === '')) {
      this.fail(value ?? node, `${where} has no "${key}"; every test needs one.`)
    }
    return value
  }

  envVars(node: Node | null, field: string): EnvVar[] {
    return this.list(node, field, (child, where) => {
      const fields = this.fields(child, where, FIELDS.envVar)
      const key = this.string(this.required(fields, 'key', where, child), `${where}.key`)
      const value = fields.get('value')
      const isRegex = fields.get('isRegex')
      return {
        key,
        value: value === undefined ? '' : this.string(value, `${where}.value`),
        isRegex: isRegex === undefined ? false : this.boolean(isRegex, `${where}.isRegex`)
      }
    })
  }

  expectedPairs(node: Node | null, field: string): ExpectedPair[] {
    const vars = this.envVars(node, field)
    const items = isSeq(node) ? node.items : []
    return vars.map(({ key, value, isRegex }, i) => {
      if (!isRegex) return { key, value }
      const item = this.deref(items[i])
      const valueNode = isMap(item) ? this.deref(item.get('value', true)) : item
      const where = `${field}[${i}].value`
      try {
        return { key, value, pattern: compilePattern(value) }
      } catch (error) {
        this.fail(valueNode, `field "${where}" is not a valid regex (${(error as Error).message}).`)
      }
    })
  }
}

/** Test names are the subject of their findings, so repeats in one suite are numbered. */
function uniqueNames(tests: StructureTest[]): StructureTest[] {
  const seen = new Map<string, number>()
  return tests.map((test) => {
    const count = (seen.get(test.name) ?? 0) + 1
    seen.set(test.name, count)
    return count === 1 ? test : { ...test, name: `${test.name} (${count})` }
  })
}

function commandTest(r: Reader, node: Node | null, where: string): CommandTest {
  const f = r.fields(node, where, FIELDS.command)
  const list = (key: string): Node | null => f.get(key) ?? null
  const name = r.string(r.required(f, 'name', where, node), `${where}.name`)
  const commands = (key: string): string[][] =>
    r.list(list(key), `${where}.${key}`, (child, field) => {
      const command = r.strings(child, field)
      if (command.length === 0) r.fail(child, `field "${field}" is an empty command; remove it.`)
      return command
    })
  const envVars = r.envVars(list('envVars'), `${where}.envVars`)
  const exitCode = f.get('exitCode')
  return {
    kind: 'command',
    name,
    severity: r.severity(f.get('severity'), `${where}.severity`),
    line: r.line(node),
    setup: commands('setup'),
    teardown: commands('teardown'),
    envVars,
    exitCode: exitCode === undefined ? 0 : r.integer(exitCode, `${where}.exitCode`),
    command: r.string(r.required(f, 'command', where, node), `${where}.command`),
    args: r.strings(list('args'), `${where}.args`),
    expectedOutput: r.patterns(list('expectedOutput'), `${where}.expectedOutput`),
    excludedOutput: r.patterns(list('excludedOutput'), `${where}.excludedOutput`),
    expectedError: r.patterns(list('expectedError'), `${where}.expectedError`),
    excludedError: r.patterns(list('excludedError'), `${where}.excludedError`)
  }
}

function absolutePath(r: Reader, node: Node, field: string): string {
  const path = r.string(node, field)
  // cst substitutes the image's environment into paths, so `$HOME/.ssh` is allowed.
  if (!path.startsWith('/') && !path.startsWith('$')) {
    r.fail(node, `field "${field}" must be an absolute path inside the image, e.g. /etc/passwd.`)
  }
  return path
}

function fileExistenceTest(r: Reader, node: Node | null, where: string): FileExistenceTest {
  const f = r.fields(node, where, FIELDS.fileExistence)
  const name = r.string(r.required(f, 'name', where, node), `${where}.name`)
  const path = absolutePath(r, r.required(f, 'path', where, node), `${where}.path`)
  const optional = <T>(key: string, read: (n: Node | null, field: string) => T): T | undefined => {
    const value = f.get(key)
    return value === undefined ? undefined : read(value, `${where}.${key}`)
  }
  const permissions = optional('permissions', (n, field) => {
    const value = r.string(n, field)
    // Go os.FileMode.String(): type letters from "dalTLDpSugct?" then nine rwx characters.
    if (!/^[dalTLDpSugct?-]*[r-][w-][x-][r-][w-][x-][r-][w-][x-]$/.test(value)) {
      r.fail(
        n,
        `field "${field}" must be a Unix permission string such as -rw-r--r-- or drwxr-xr-x.`
      )
    }
    return value
  })
  const test: FileExistenceTest = {
    kind: 'file-existence',
    name,
    severity: r.severity(f.get('severity'), `${where}.severity`),
    line: r.line(node),
    path,
    // cst's UnmarshalYAML defaults shouldExist to true.
    shouldExist: optional('shouldExist', (n, field) => r.boolean(n, field)) ?? true,
    ifExists: r.strings(f.get('ifExists') ?? null, `${where}.ifExists`)
  }
  const uid = optional('uid', (n, field) => r.integer(n, field))
  const gid = optional('gid', (n, field) => r.integer(n, field))
  const executable = r.permissionClass(f.get('isExecutableBy'), `${where}.isExecutableBy`)
  const notReadable = r.permissionClass(f.get('isNotReadableBy'), `${where}.isNotReadableBy`)
  const notWritable = r.permissionClass(f.get('isNotWritableBy'), `${where}.isNotWritableBy`)
  return {
    ...test,
    ...(permissions === undefined ? {} : { permissions }),
    // cst uses -1 for "not checked".
    ...(uid === undefined || uid === -1 ? {} : { uid }),
    ...(gid === undefined || gid === -1 ? {} : { gid }),
    ...(executable === undefined ? {} : { isExecutableBy: executable }),
    ...(notReadable === undefined ? {} : { isNotReadableBy: notReadable }),
    ...(notWritable === undefined ? {} : { isNotWritableBy: notWritable })
  }
}

function fileContentTest(r: Reader, node: Node | null, where: string): FileContentTest {
  const f = r.fields(node, where, FIELDS.fileContent)
  return {
    kind: 'file-content',
    name: r.string(r.required(f, 'name', where, node), `${where}.name`),
    severity: r.severity(f.get('severity'), `${where}.severity`),
    line: r.line(node),
    path: absolutePath(r, r.required(f, 'path', where, node), `${where}.path`),
    expectedContents: r.patterns(f.get('expectedContents') ?? null, `${where}.expectedContents`),
    excludedContents: r.patterns(f.get('excludedContents') ?? null, `${where}.excludedContents`),
    ifExists: r.strings(f.get('ifExists') ?? null, `${where}.ifExists`)
  }
}

function metadataTest(r: Reader, node: Node | null): MetadataTest {
  const where = 'metadataTest'
  const f = r.fields(node, where, FIELDS.metadata)
  const get = (key: string): Node | null => f.get(key) ?? null
  const optionalList = (key: string): string[] | undefined =>
    f.has(key) ? r.strings(get(key), `${where}.${key}`) : undefined
  const optionalString = (key: string): string | undefined =>
    f.has(key) ? r.string(get(key), `${where}.${key}`) : undefined
  const entrypoint = optionalList('entrypoint')
  const cmd = optionalList('cmd')
  const workdir = optionalString('workdir')
  const user = optionalString('user')
  return {
    kind: 'metadata',
    name: 'Metadata Test',
    severity: r.severity(f.get('severity'), `${where}.severity`),
    line: r.line(node),
    envVars: r.expectedPairs(get('envVars'), `${where}.envVars`),
    unboundEnvVars: r.envVars(get('unboundEnvVars'), `${where}.unboundEnvVars`).map((v) => v.key),
    labels: r.expectedPairs(get('labels'), `${where}.labels`),
    exposedPorts: r.strings(get('exposedPorts'), `${where}.exposedPorts`),
    unexposedPorts: r.strings(get('unexposedPorts'), `${where}.unexposedPorts`),
    volumes: r.strings(get('volumes'), `${where}.volumes`),
    unmountedVolumes: r.strings(get('unmountedVolumes'), `${where}.unmountedVolumes`),
    ...(entrypoint === undefined ? {} : { entrypoint }),
    ...(cmd === undefined ? {} : { cmd }),
    ...(workdir === undefined || workdir === '' ? {} : { workdir }),
    ...(user === undefined || user === '' ? {} : { user })
  }
}

function licenseTest(r: Reader, node: Node | null, where: string): LicenseTest {
  const f = r.fields(node, where, FIELDS.license)
  const debian = f.get('debian')
  return {
    kind: 'license',
    name: 'License Test',
    severity: r.severity(f.get('severity'), `${where}.severity`),
    line: r.line(node),
    debian: debian === undefined ? false : r.boolean(debian, `${where}.debian`),
    files: r.strings(f.get('files') ?? null, `${where}.files`)
  }
}

function runOptions(r: Reader, node: Node | null | undefined): ContainerRunOptions {
  const options: ContainerRunOptions = {
    privileged: false,
    allocateTty: false,
    envVars: [],
    capabilities: [],
    bindMounts: []
  }
  if (node === undefined || node === null) return options
  const where = 'containerRunOptions'
  const f = r.fields(node, where, FIELDS.runOptions)
  const get = (key: string): Node | null => f.get(key) ?? null
  const flag = (key: string): boolean =>
    f.has(key) ? r.boolean(get(key), `${where}.${key}`) : false
  return {
    ...(f.has('user') ? { user: r.string(get('user'), `${where}.user`) } : {}),
    ...(f.has('envFile') ? { envFile: r.string(get('envFile'), `${where}.envFile`) } : {}),
    privileged: flag('privileged'),
    allocateTty: flag('allocateTty'),
    envVars: r.strings(get('envVars'), `${where}.envVars`),
    capabilities: r.strings(get('capabilities'), `${where}.capabilities`),
    bindMounts: r.strings(get('bindMounts'), `${where}.bindMounts`)
  }
}

/** Parses one structure-test file; `file` names it in errors and results. */
export function parseStructureTests(text: string, file: string): StructureTestSuite {
  const lines = new LineCounter()
  const document = parseDocument(text, {
    lineCounter: lines,
    uniqueKeys: true,
    prettyErrors: true
  })
  const r: Reader = new Reader(file, document, lines)
  const [error] = document.errors
  if (error !== undefined) {
    const line = error.linePos?.[0].line ?? 1
    const reason = error.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '')
    throw new ConfigurationError(
      `structure-tests file "${file}" line ${line}: the YAML is malformed (${reason}); fix the syntax.`,
      'STRUCTURE_TESTS'
    )
  }
  // Expanding the aliases once, within bounds, refuses a "billion laughs" before the reader
  // walks them; an alias without its anchor is refused here too.
  yamlData(document, `structure-tests file "${file}"`, 'STRUCTURE_TESTS')
  const root = r.deref(document.contents)
  if (root === null || (isScalar(root) && root.value === null)) {
    r.fail(root, `the file is empty; start it with "schemaVersion: ${SCHEMA_VERSION}".`)
  }
  const top = r.fields(root, 'the file', FIELDS.top)
  const version = top.get('schemaVersion')
  if (version === undefined) {
    r.fail(root, `field "schemaVersion" is missing; add "schemaVersion: ${SCHEMA_VERSION}".`)
  }
  if (r.string(version, 'schemaVersion') !== SCHEMA_VERSION) {
    r.fail(
      version,
      `field "schemaVersion" is "${r.string(version, 'schemaVersion')}"; container-gate reads schemaVersion ${SCHEMA_VERSION}.`
    )
  }
  const section = <T>(key: string, read: (n: Node | null, where: string) => T): T[] =>
    r.list(top.get(key) ?? null, key, read)
  const metadata = top.get('metadataTest')
  const tests: StructureTest[] = [
    ...section('commandTests', (n, where) => commandTest(r, n, where)),
    ...section('fileExistenceTests', (n, where) => fileExistenceTest(r, n, where)),
    ...section('fileContentTests', (n, where) => fileContentTest(r, n, where)),
    ...(metadata === undefined || metadata === null ? [] : [metadataTest(r, metadata)]),
    ...section('licenseTests', (n, where) => licenseTest(r, n, where))
  ]
  return {
    file,
    globalEnvVars: r.envVars(top.get('globalEnvVars') ?? null, 'globalEnvVars'),
    runOptions: runOptions(r, top.get('containerRunOptions')),
    tests: uniqueNames(tests)
  }
}
