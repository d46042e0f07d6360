/** One version ordering per ecosystem, as the ecosystem's own tools order versions. */
export interface VersionComparator {
  /** The ecosystem's name for the rules, e.g. `dpkg`, `PEP 440`. */
  readonly name: string
  /** Negative, zero or positive, as `a` sorts before, with or after `b`. Only call with valid versions. */
  compare(a: string, b: string): number
  /** Whether the ecosystem's tools would accept `version`; invalid versions are never range-matched. */
  isValid(version: string): boolean
}

/** Clamps a comparison result to -1, 0 or 1. */
export function sign(value: number): number {
  return value < 0 ? -1 : value > 0 ? 1 : 0
}

/** Compares two digit strings numerically without overflow (leading zeros ignored). */
export function compareDigits(a: string, b: string): number {
  const x = a.replace(/^0+/, '')
  const y = b.replace(/^0+/, '')
  if (x.length !== y.length) return x.length < y.length ? -1 : 1
  return x < y ? -1 : x > y ? 1 : 0
}

/** Code-unit order, not locale order: results must not depend on the runner's locale. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
