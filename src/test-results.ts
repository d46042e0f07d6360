/** One security unit test's result (tests step), as JUnit and the reports show it. */

/** The kinds of container-structure-test tests (schema 2.0.0), plus license tests. */
export const TEST_KINDS = [
  'command',
  'file-existence',
  'file-content',
  'metadata',
  'license'
] as const
export type TestKind = (typeof TEST_KINDS)[number]

export interface TestResult {
  /** The YAML file it came from, or `built-in`. */
  suite: string
  name: string
  /** `error`: the test could not be run (e.g. the container runtime failed); never a pass. */
  status: 'pass' | 'fail' | 'skipped' | 'error'
  /** Expected vs actual on failure, or why it was skipped or could not run. */
  message?: string
  durationMs: number
  kind: TestKind
  /** What a command test printed (truncated), for JUnit's system-out/system-err. */
  stdout?: string
  stderr?: string
}
