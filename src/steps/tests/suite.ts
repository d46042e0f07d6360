/**
 * A container-structure-test suite (schemaVersion 2.0.0) as parsed: the schema of
 * GoogleContainerTools/container-structure-test pkg/types/v2, plus the few extension keys
 * documented in docs/structure-tests.md (`severity`, `ifExists`, `isNotReadableBy`,
 * `isNotWritableBy`, glob paths).
 */
import type { Severity } from '../../findings.js'

/** Who a permission check is about, as cst's `isExecutableBy`. */
export type PermissionClass = 'owner' | 'group' | 'other' | 'any'

/** A regex from the YAML, compiled once when the file is read. */
export interface Pattern {
  source: string
  regex: RegExp
}

export interface EnvVar {
  key: string
  value: string
  isRegex: boolean
}

/** The `{key, value, isRegex}` pairs of metadataTest.envVars and labels. */
export interface ExpectedPair {
  key: string
  value: string
  pattern?: Pattern
}

interface TestBase {
  name: string
  /** Extension: the severity of the finding when the test fails; default high. */
  severity: Severity
  /** 1-based line of the test in its file. */
  line: number
}

export interface CommandTest extends TestBase {
  kind: 'command'
  setup: string[][]
  teardown: string[][]
  envVars: EnvVar[]
  exitCode: number
  command: string
  args: string[]
  expectedOutput: Pattern[]
  excludedOutput: Pattern[]
  expectedError: Pattern[]
  excludedError: Pattern[]
}

export interface FileExistenceTest extends TestBase {
  kind: 'file-existence'
  /** An absolute path, or (extension) a glob. */
  path: string
  shouldExist: boolean
  /** Go's os.FileMode string, e.g. `-rw-r--r--`, `dtrwxrwxrwx`. */
  permissions?: string
  uid?: number
  gid?: number
  isExecutableBy?: PermissionClass
  isNotReadableBy?: PermissionClass
  isNotWritableBy?: PermissionClass
  /** Extension: run only when one of these paths or globs exists; otherwise skipped. */
  ifExists: string[]
}

export interface FileContentTest extends TestBase {
  kind: 'file-content'
  path: string
  expectedContents: Pattern[]
  excludedContents: Pattern[]
  ifExists: string[]
}

export interface MetadataTest extends TestBase {
  kind: 'metadata'
  envVars: ExpectedPair[]
  unboundEnvVars: string[]
  labels: ExpectedPair[]
  exposedPorts: string[]
  unexposedPorts: string[]
  entrypoint?: string[]
  cmd?: string[]
  workdir?: string
  volumes: string[]
  unmountedVolumes: string[]
  user?: string
}

export interface LicenseTest extends TestBase {
  kind: 'license'
  debian: boolean
  files: string[]
}

export type StructureTest =
  CommandTest | FileExistenceTest | FileContentTest | MetadataTest | LicenseTest

/** cst `containerRunOptions`: flags for the containers that command tests run in. */
export interface ContainerRunOptions {
  user?: string
  privileged: boolean
  allocateTty: boolean
  envFile?: string
  /** Names of variables passed through from the environment of container-gate. */
  envVars: string[]
  capabilities: string[]
  bindMounts: string[]
}

export interface StructureTestSuite {
  /** The file as the user named it, or `built-in`. */
  file: string
  globalEnvVars: EnvVar[]
  runOptions: ContainerRunOptions
  /** In cst's order: command, file existence, file content, metadata, license tests. */
  tests: StructureTest[]
}

/** A path with glob magic (extension): matched with minimatch against every path in the image. */
export function isGlob(path: string): boolean {
  return /[*?[{]/.test(path)
}
