/**
 * Parsing the string values of inputs (action inputs, CLI flags, policy-file keys), shared by the
 * entry points, the policy core and every step's settings. Imports nothing but the error type,
 * so any settings module can use it without an import cycle.
 */
import { ConfigurationError } from './errors.js'

/** The one error for a bad value: names the input, the value and how to fix it. */
export function invalidInput(name: string, value: string, fix: string): ConfigurationError {
  return new ConfigurationError(`input "${name}" is "${value}"; ${fix}`)
}

/** The YAML 1.2 core-schema booleans, as @actions/core getBooleanInput accepts them. */
export function parseBooleanInput(name: string, value: string): boolean {
  if (['true', 'True', 'TRUE'].includes(value)) return true
  if (['false', 'False', 'FALSE'].includes(value)) return false
  throw invalidInput(name, value, 'use true or false.')
}

/**
 * Splits a list input on newlines and on `separators` outside `{...}`, so brace globs such as
 * `/usr/bin/{ping,su}` stay whole. Blank items are dropped.
 */
export function splitList(value: string, separators: RegExp = /,/): string[] {
  const items: string[] = []
  let depth = 0
  let current = ''
  for (const char of value) {
    if (char === '{') depth += 1
    if (char === '}') depth = Math.max(0, depth - 1)
    if (char === '\n' || (depth === 0 && separators.test(char))) {
      items.push(current)
      current = ''
    } else {
      current += char
    }
  }
  items.push(current)
  return items.map((item) => item.trim()).filter((item) => item !== '')
}

const DURATION_UNITS: Record<string, number> = { '': 1000, s: 1000, m: 60_000, h: 3_600_000 }

/**
 * A duration input in milliseconds: `90s`, `30m`, `1h`, or plain seconds. Zero is refused: a
 * scan always has a deadline (DESIGN.md: every wait has a bound). Above `maxMs` is refused too,
 * which also keeps the value inside what setTimeout can hold.
 */
export function parseDurationInput(name: string, value: string, maxMs: number): number {
  const match = /^(\d{1,9})\s*(s|m|h)?$/i.exec(value.trim())
  const ms =
    match === null ? Number.NaN : Number(match[1]) * DURATION_UNITS[match[2]?.toLowerCase() ?? '']!
  if (!Number.isFinite(ms) || ms <= 0 || ms > maxMs) {
    throw invalidInput(
      name,
      value,
      `give a duration above zero and at most ${maxMs / 3_600_000}h, such as 90s, 30m, 1h or plain seconds.`
    )
  }
  return ms
}

/** A duration as inputs write it: `90s`, `30m`, `1h`, `1h30m`. */
export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000)
  if (seconds < 60 || ms % 1000 !== 0) return ms < 1000 ? `${ms}ms` : `${seconds}s`
  const h = Math.floor(seconds / 3600)
  const m = Math.floor((seconds % 3600) / 60)
  const s = seconds % 60
  return [h > 0 ? `${h}h` : '', m > 0 ? `${m}m` : '', s > 0 ? `${s}s` : ''].join('')
}
