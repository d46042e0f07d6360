/**
 * File existence, file content, metadata and license tests, evaluated against the final
 * filesystem and the image config with container-structure-test's semantics (pkg/types/v2).
 * Pure: no container is started.
 */
import { posix } from 'node:path'
import { braceExpand, Minimatch } from 'minimatch'
import { comparePaths } from '../../image/filesystem.js'
import { normalizePath } from '../../image/layer/tar.js'
import type { FileNode, ImageConfig } from '../../image/types.js'
import type { ImageView } from '../step.js'
import {
  isGlob,
  type ExpectedPair,
  type FileContentTest,
  type FileExistenceTest,
  type LicenseTest,
  type MetadataTest,
  type PermissionClass
} from './suite.js'
import { redactCreatedBy } from '../../secrets/config.js'

/** Files larger than this are not read for content and license tests. */
export const CONTENT_LIMIT = 4 * 1024 * 1024
const DEBIAN_DOC_ROOT = '/usr/share/doc'
/** cst pkg/types/v2/licenses.go: words that fail a license file, and packages exempt from it. */
const LICENSE_DENYLIST = ['AGPL', 'WTFPL']
const LICENSE_EXEMPT = new Set(['libgnutls30'])
const LISTED = 5

export interface CheckOutcome {
  status: 'pass' | 'fail' | 'skipped' | 'error'
  message?: string
  /** The path the outcome is about, for the finding's location. */
  path?: string
}

const pass: CheckOutcome = { status: 'pass' }

function fail(message: string, path?: string): CheckOutcome {
  return path === undefined ? { status: 'fail', message } : { status: 'fail', message, path }
}

/** The image's ENV as a map (OCI image-spec config.md: `VARNAME=VARVALUE`). */
export function imageEnv(config: ImageConfig): Map<string, string> {
  const env = new Map<string, string>()
  for (const item of config.config?.Env ?? []) {
    const eq = item.indexOf('=')
    if (eq > 0) env.set(item.slice(0, eq), item.slice(eq + 1))
  }
  return env
}

/** Go's os.Expand, as cst applies it to paths, commands and env values: `$VAR` and `${VAR}`. */
export function expandEnv(value: string, env: ReadonlyMap<string, string>): string {
  return value.replace(
    /\$(?:\{([^}]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g,
    (_match, braced?: string, bare?: string) => env.get(braced ?? bare ?? '') ?? ''
  )
}

/** Go's os.FileMode.String() of a tar header's FileInfo: type letters from "dLDpugct", then rwx. */
export function modeString(node: Pick<FileNode, 'type' | 'mode'>): string {
  const letters =
    (node.type === 'dir' ? 'd' : '') +
    (node.type === 'symlink' ? 'L' : '') +
    (node.type === 'char' || node.type === 'block' ? 'D' : '') +
    (node.type === 'fifo' ? 'p' : '') +
    (node.mode & 0o4000 ? 'u' : '') +
    (node.mode & 0o2000 ? 'g' : '') +
    (node.type === 'char' ? 'c' : '') +
    (node.mode & 0o1000 ? 't' : '')
  const rwx = [6, 3, 0]
    .map((shift) => {
      const bits = (node.mode >> shift) & 0o7
      return `${bits & 4 ? 'r' : '-'}${bits & 2 ? 'w' : '-'}${bits & 1 ? 'x' : '-'}`
    })
    .join('')
  return `${letters || '-'}${rwx}`
}

const ROOT: FileNode = { path: '/', type: 'dir', mode: 0o755, uid: 0, gid: 0, size: 0, layer: 0 }

/** Like lstat(2): symlinks in the parent directories are followed, the last component is not. */
export function lstat(image: ImageView, path: string): FileNode | undefined {
  const normal = posix.normalize(path).replace(/\/+$/, '') || '/'
  if (normal === '/') return image.fs.get('/') ?? ROOT
  const parent = image.fs.resolve(posix.dirname(normal))
  if (parent === undefined) return image.fs.get(normal)
  if (parent.type !== 'dir') return undefined
  return image.fs.get(posix.join(parent.path, posix.basename(normal)))
}

/** Characters that make a glob segment a pattern rather than a name. */
const MAGIC = /[*?[\]!+@()]/

function globMatches(image: ImageView, glob: string): FileNode[] {
  const matcher = new Minimatch(glob, { dot: true })
  // Only paths under one of the glob's literal directories can match: only those subtrees are
  // walked (most globs name a few directories of a large image).
  const patterns = braceExpand(glob)
  const roots = outermost(
    patterns.map((pattern) => {
      const magic = pattern.search(MAGIC)
      const literal = magic === -1 ? pattern : pattern.slice(0, magic)
      // The directory itself is walked too: `/root/**` matches `/root`. Normalised, so that two
      // spellings of one directory (`/{etc,./etc}/…`) are one subtree, walked once.
      return normalizePath(literal.slice(0, Math.max(0, literal.lastIndexOf('/'))))
    })
  )
  // Where every pattern ends in a literal name (`/app/**/.git`), a path must end in one of them.
  const lastNames = patterns.map((pattern) => pattern.slice(pattern.lastIndexOf('/') + 1))
  const names = lastNames.every((name) => name !== '' && !MAGIC.test(name))
    ? new Set(lastNames)
    : undefined
  const matches: FileNode[] = []
  for (const root of roots) {
    for (const node of image.fs.entriesUnder(root)) {
      const path = node.path
      if (names !== undefined && !names.has(path.slice(path.lastIndexOf('/') + 1))) continue
      if (matcher.match(path)) matches.push(node)
    }
  }
  return matches
}

/** The directories none of the others contains, in entries() order: their subtrees are disjoint. */
function outermost(dirs: string[]): string[] {
  const sorted = [...new Set(dirs)].sort(comparePaths)
  const roots: string[] = []
  for (const dir of sorted) {
    const last = roots.at(-1)
    if (last === undefined || !(last === '/' || dir.startsWith(`${last}/`))) roots.push(dir)
  }
  return roots
}

/** The nodes a test's path names: one (or none) for a path, every match for a glob. */
function nodesFor(image: ImageView, path: string): FileNode[] {
  if (isGlob(path)) return globMatches(image, path)
  const node = lstat(image, path)
  return node === undefined ? [] : [node]
}

function listed(items: string[], separator = ', '): string {
  const shown = items.slice(0, LISTED).join(separator)
  return items.length > LISTED ? `${shown}${separator}and ${items.length - LISTED} more` : shown
}

/** Extension `ifExists`: the reason to skip, or undefined when the test applies. */
export function precondition(
  image: ImageView,
  ifExists: string[],
  env: ReadonlyMap<string, string>
): string | undefined {
  if (ifExists.length === 0) return undefined
  const any = ifExists.some((path) => nodesFor(image, expandEnv(path, env)).length > 0)
  return any ? undefined : `none of ${ifExists.join(', ')} exists in the image`
}

const PERMISSION_BITS: Record<PermissionClass, number> = {
  owner: 0o100,
  group: 0o010,
  other: 0o001,
  any: 0o111
}

function permissionProblems(test: FileExistenceTest, node: FileNode): string[] {
  const mode = modeString(node)
  const problems: string[] = []
  if (test.permissions !== undefined && mode !== test.permissions) {
    problems.push(`permissions: expected ${test.permissions}, actual ${mode}`)
  }
  if (
    test.isExecutableBy !== undefined &&
    (node.mode & PERMISSION_BITS[test.isExecutableBy]) === 0
  ) {
    problems.push(`expected to be executable by ${test.isExecutableBy}, actual ${mode}`)
  }
  // Read is the x bit shifted by 2, write by 1; `any` means nobody.
  if (
    test.isNotReadableBy !== undefined &&
    (node.mode & (PERMISSION_BITS[test.isNotReadableBy] << 2)) !== 0
  ) {
    problems.push(`expected not to be readable by ${test.isNotReadableBy}, actual ${mode}`)
  }
  if (
    test.isNotWritableBy !== undefined &&
    (node.mode & (PERMISSION_BITS[test.isNotWritableBy] << 1)) !== 0
  ) {
    problems.push(`expected not to be writable by ${test.isNotWritableBy}, actual ${mode}`)
  }
  if (test.uid !== undefined && node.uid !== test.uid) {
    problems.push(`uid: expected ${test.uid}, actual ${node.uid}`)
  }
  if (test.gid !== undefined && node.gid !== test.gid) {
    problems.push(`gid: expected ${test.gid}, actual ${node.gid}`)
  }
  return problems
}

export function checkFileExistence(
  image: ImageView,
  test: FileExistenceTest,
  env: ReadonlyMap<string, string>
): CheckOutcome {
  const path = expandEnv(test.path, env)
  const nodes = nodesFor(image, path)
  if (!test.shouldExist) {
    if (nodes.length === 0) return pass
    const paths = nodes.map((node) => node.path)
    const what = isGlob(path) ? `${path} matches ${listed(paths)}` : `${path} exists`
    return fail(`expected ${path} not to exist; actual: ${what}.`, paths[0])
  }
  if (nodes.length === 0) {
    return fail(
      isGlob(path)
        ? `expected a file matching ${path}; actual: nothing matches.`
        : `expected ${path} to exist; actual: it does not.`,
      isGlob(path) ? undefined : path
    )
  }
  const found = nodes.flatMap((node) =>
    permissionProblems(test, node).map((problem) => ({ path: node.path, problem }))
  )
  if (found.length === 0) return pass
  return fail(
    `${listed(
      found.map((f) => `${f.path} ${f.problem}`),
      '; '
    )}.`,
    found[0]?.path
  )
}

/** The 1-based line of a match, so a report can point at it without quoting it (it may be a secret). */
function lineOf(text: string, index: number): number {
  let line = 1
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) line++
  return line
}

function contentProblems(test: FileContentTest, path: string, text: string): string[] {
  const problems: string[] = []
  for (const pattern of test.expectedContents) {
    if (!pattern.regex.test(text)) {
      problems.push(`expected ${path} to match /${pattern.source}/; actual: no match`)
    }
  }
  for (const pattern of test.excludedContents) {
    const match = pattern.regex.exec(text)
    if (match !== null) {
      problems.push(
        `expected ${path} not to match /${pattern.source}/; actual: it matches at line ${lineOf(text, match.index)}`
      )
    }
  }
  return problems
}

type Content = { text: string; node: FileNode } | CheckOutcome

/** A file's text through symlinks, or why it cannot be read. */
function content(image: ImageView, path: string, resolve = true): Content {
  const node = resolve ? image.fs.resolve(path) : image.fs.get(path)
  if (node === undefined) return fail(`expected ${path} to exist; actual: it does not.`, path)
  if (node.type === 'dir') return fail(`expected ${path} to be a file; actual: a directory.`, path)
  const data = image.fs.read(node.path)
  if (data !== undefined) return { text: data.toString('utf8'), node }
  if (node.size > CONTENT_LIMIT) {
    return {
      status: 'error',
      message: `${path} is ${node.size} bytes; content tests read files up to ${CONTENT_LIMIT} bytes.`,
      path
    }
  }
  return { status: 'error', message: `the content of ${path} was not read from the image.`, path }
}

export function checkFileContent(
  image: ImageView,
  test: FileContentTest,
  env: ReadonlyMap<string, string>
): CheckOutcome {
  const path = expandEnv(test.path, env)
  if (!isGlob(path)) {
    const read = content(image, path)
    if ('status' in read) return read
    const problems = contentProblems(test, path, read.text)
    return problems.length === 0 ? pass : fail(`${problems.join('; ')}.`, read.node.path)
  }
  // Extension: a glob checks every regular file it matches; no match is nothing to check.
  const files = globMatches(image, path).filter((n) => n.type === 'file' || n.type === 'hardlink')
  const problems: string[] = []
  let first: string | undefined
  for (const node of files) {
    const read = content(image, node.path, false)
    // Files over the content limit are not read; a glob checks only what was.
    if ('status' in read) continue
    const found = contentProblems(test, node.path, read.text)
    if (found.length > 0) first ??= node.path
    problems.push(...found)
  }
  return problems.length === 0 ? pass : fail(`${listed(problems, '; ')}.`, first)
}

function pairProblems(
  kind: 'env var' | 'label',
  expected: ExpectedPair[],
  actual: ReadonlyMap<string, string>
): string[] {
  return expected.flatMap(({ key, value, pattern }) => {
    const found = actual.get(key)
    if (found === undefined) return [`${kind} ${key}: expected "${value}", actual: not set`]
    const matches = pattern === undefined ? found === value : pattern.regex.test(found)
    // The actual value is not quoted: ENV and labels are where secrets leak.
    return matches
      ? []
      : [
          `${kind} ${key}: expected ${pattern ? `/${value}/` : `"${value}"`}, actual: a different value`
        ]
  })
}

function sameList(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((item, i) => item === b[i])
}

/** cst compares ports by number (go-dockerclient Port.Port()); `8080/udp` also names the protocol. */
function portExposed(port: string, exposed: string[]): boolean {
  return exposed.some((key) => key === port || key.split('/')[0] === port)
}

export function checkMetadata(image: ImageView, test: MetadataTest): CheckOutcome {
  const config = image.config.config ?? {}
  const env = imageEnv(image.config)
  const labels = new Map(Object.entries(config.Labels ?? {}))
  const ports = Object.keys(config.ExposedPorts ?? {})
  const volumes = Object.keys(config.Volumes ?? {})
  const json = (list: string[]): string => JSON.stringify(list)
  const problems = [
    ...pairProblems('env var', test.envVars, env),
    ...test.unboundEnvVars
      .filter((key) => env.has(key))
      .map((key) => `env var ${key}: expected not set, actual: set`),
    ...pairProblems('label', test.labels, labels),
    ...test.exposedPorts
      .filter((port) => !portExposed(port, ports))
      .map((port) => `port ${port}: expected exposed, actual exposed ports ${json(ports)}`),
    ...test.unexposedPorts
      .filter((port) => portExposed(port, ports))
      .map((port) => `port ${port}: expected not exposed, actual: exposed`),
    ...test.volumes
      .filter((volume) => !volumes.includes(volume))
      .map((volume) => `volume ${volume}: expected declared, actual volumes ${json(volumes)}`),
    ...test.unmountedVolumes
      .filter((volume) => volumes.includes(volume))
      .map((volume) => `volume ${volume}: expected not declared, actual: declared`)
  ]
  const entrypoint = config.Entrypoint ?? []
  if (test.entrypoint !== undefined && !sameList(test.entrypoint, entrypoint)) {
    // The actual command line goes into reports and PR comments: secrets in it are redacted.
    problems.push(
      `entrypoint: expected ${json(test.entrypoint)}, actual ${redactCreatedBy(json(entrypoint))}`
    )
  }
  const cmd = config.Cmd ?? []
  if (test.cmd !== undefined && !sameList(test.cmd, cmd)) {
    problems.push(`cmd: expected ${json(test.cmd)}, actual ${redactCreatedBy(json(cmd))}`)
  }
  const workdir = config.WorkingDir ?? ''
  if (test.workdir !== undefined && test.workdir !== workdir) {
    problems.push(`workdir: expected "${test.workdir}", actual "${workdir}"`)
  }
  const user = config.User ?? ''
  if (test.user !== undefined && test.user !== user) {
    problems.push(`user: expected "${test.user}", actual "${user}"`)
  }
  return problems.length === 0 ? pass : fail(`${problems.join('; ')}.`)
}

function licenseProblem(image: ImageView, path: string): string | undefined {
  if (image.fs.resolve(path) === undefined) return `${path} is missing`
  const read = content(image, path)
  if ('status' in read) return read.message?.replace(/\.$/, '')
  const upper = read.text.toUpperCase()
  const denied = LICENSE_DENYLIST.find((word) => upper.includes(word))
  return denied === undefined ? undefined : `${path} names the license ${denied}`
}

export function checkLicenses(image: ImageView, test: LicenseTest): CheckOutcome {
  const files: string[] = []
  if (test.debian) {
    const root = image.fs.resolve(DEBIAN_DOC_ROOT)
    if (root?.type !== 'dir') {
      return fail(
        `expected ${DEBIAN_DOC_ROOT} (Debian's copyright files); actual: it does not exist.`
      )
    }
    const prefix = `${root.path}/`
    for (const node of image.fs.entries()) {
      const name = node.path.slice(prefix.length)
      if (!node.path.startsWith(prefix) || name.includes('/') || node.type !== 'dir') continue
      if (!LICENSE_EXEMPT.has(name)) files.push(`${DEBIAN_DOC_ROOT}/${name}/copyright`)
    }
  }
  files.push(...test.files)
  const found = files.flatMap((file) => {
    const problem = licenseProblem(image, file)
    return problem === undefined ? [] : [{ file, problem }]
  })
  if (found.length === 0) return pass
  return fail(
    `${listed(
      found.map((f) => f.problem),
      '; '
    )}.`,
    found[0]?.file
  )
}
