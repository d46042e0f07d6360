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
