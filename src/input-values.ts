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

/** The YAML 1.2 core-schema booleans, as @actions/core getBooleanInput accepts them; else undefined. */
export function booleanWord(value: string): boolean | undefined {
  if (['true', 'True', 'TRUE'].includes(value)) return true
  if (['false', 'False', 'FALSE'].includes(value)) return false
  return undefined
}

export function parseBooleanInput(name: string, value: string): boolean {
  const word = booleanWord(value)
  if (word === undefined) throw invalidInput(name, value, 'use true or false.')
  return word
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
 * scan always has a deadline (docs/architecture.md, "Fail closed"). Above `maxMs` is refused too,
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

/** Levenshtein distance: the fewest one-character edits that turn `a` into `b`. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i]
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution)
    }
    previous = current
  }
  return previous[b.length]!
}

/**
 * The candidate closest to `name` by edit distance, when it is close enough to be a typo (a few
 * edits, more for longer names); undefined otherwise, so a suggestion is never a wild guess.
 */
export function closestName(name: string, candidates: readonly string[]): string | undefined {
  const limit = Math.max(2, Math.floor(name.length / 4))
  let best: { candidate: string; distance: number } | undefined
  for (const candidate of candidates) {
    const distance = editDistance(name, candidate)
    if (distance <= limit && (best === undefined || distance < best.distance)) {
      best = { candidate, distance }
    }
  }
  return best?.candidate
}

/** An action input and the CLI flag of the same name (action.yml, docs/inputs.md). */
export interface InputSpec {
  name: string
  description: string
  default?: string
  required?: boolean
  /** Takes a list: newline- or comma-separated in the action, a repeatable flag in the CLI. */
  list?: boolean
  /** The action masks it and the CLI never echoes it. */
  secret?: boolean
  /**
   * Its type in the policy file (schema/policy.schema.json). Default: boolean when the default is
   * true/false, else a string or a number (the input's parser decides what it accepts). `json`
   * takes any YAML value and hands the input parser its JSON text.
   */
  type?: 'string' | 'boolean' | 'integer' | 'number' | 'json'
}

/** Reads an input by name: the action's core.getInput or a CLI flag; undefined when not given. */
export type InputLookup = (name: string) => string | undefined

const SIZE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3
}

/** `1048576`, `10MB`, `10 MiB`; decimal and binary units as `docker images` and dive print them. */
export function parseSizeInput(name: string, value: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(value)
  const unit = SIZE_UNITS[(match?.[2] ?? '').toLowerCase()]
  if (match === null || unit === undefined) {
    throw invalidInput(
      name,
      value,
      'use a size in bytes or with a unit, e.g. 1048576, 20MB or 10MiB.'
    )
  }
  return Math.round(Number(match[1]) * unit)
}
