/** One security unit test's result (tests step), as JUnit and the reports show it. */
export interface TestResult {
  /** The YAML file it came from, or `built-in`. */
  suite: string
  name: string
  status: 'pass' | 'fail' | 'skipped'
  /** Expected vs actual on failure, or why it was skipped. */
  message?: string
  durationMs: number
}
