/** One security unit test's result (tests step), as JUnit and the reports show it. */
import type { TestKind } from './suite.js'

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
