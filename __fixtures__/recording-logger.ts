/** A Logger for tests that keeps the warnings, which is how much of the code says what went wrong. */
import type { Logger } from '../src/log.js'

export interface RecordingLogger extends Logger {
  warnings: string[]
}

export function recordingLogger(): RecordingLogger {
  const warnings: string[] = []
  return {
    warnings,
    debug: () => undefined,
    info: () => undefined,
    warning: (message) => warnings.push(message),
    error: () => undefined,
    group: (_name, fn) => fn()
  }
}
