/**
 * License policy: a package breaks a deny-list when every way of satisfying its license
 * expression needs a denied license (`MIT OR AGPL-3.0-only` can be taken as MIT), and breaks an
 * allow-list when no way of satisfying it uses allowed licenses only (SPDX 2.3 Annex D: `OR` is a
 * choice, `AND` needs both). Pure.
 */
import type parseSpdx from 'spdx-expression-parse'
import { parseExpression } from '../../packages/license.js'

type Node = ReturnType<typeof parseSpdx>

export type LicenseVerdict =
  | { ok: true }
  /** `licenses`: the ids that make every choice fail. */
  | { ok: false; licenses: string[] }

/**
 * `GPL-2.0+` (the `+` operator, or the deprecated list id `GPL-2.0+`) is GPL-2.0-or-later;
 * exceptions do not change which license it is.
 */
function leafId(node: Extract<Node, { license: string }>): string {
  const deprecatedPlus = node.license.endsWith('+')
  if (node.plus !== true && !deprecatedPlus) return node.license
  const base = node.license.replace(/\+$/, '')
  return base.endsWith('-only') ? base.replace(/-only$/, '-or-later') : `${base}-or-later`
}

/** The ids that stop every choice of the expression (none when some choice is acceptable). */
function blockers(node: Node, acceptable: (id: string) => boolean): string[] {
  if ('license' in node) {
    const id = leafId(node)
    return acceptable(id) ? [] : [id]
  }
  const left = blockers(node.left, acceptable)
  const right = blockers(node.right, acceptable)
  if (node.conjunction === 'and') return [...left, ...right]
  return left.length === 0 || right.length === 0 ? [] : [...left, ...right]
}

/**
 * Judges the package's license expressions (all of them apply together). Free text that is no
 * SPDX expression is judged as one license named by that text.
 */
export function judgeLicenses(
  expressions: string[],
  acceptable: (id: string) => boolean
): LicenseVerdict {
  const found = new Set<string>()
  for (const expression of expressions) {
    const node = parseExpression(expression)
    const stopping =
      node === undefined ? (acceptable(expression) ? [] : [expression]) : blockers(node, acceptable)
    for (const id of stopping) found.add(id)
  }
  return found.size === 0 ? { ok: true } : { ok: false, licenses: [...found].sort() }
}

/** Denied when a denied id is the only way through; ids compare case-insensitively (SPDX 2.3 §10.1). */
export function deniedLicenses(expressions: string[], deny: string[]): string[] {
  if (deny.length === 0) return []
  const denied = new Set(deny.map((id) => id.toLowerCase()))
  const verdict = judgeLicenses(expressions, (id) => !denied.has(id.toLowerCase()))
  return verdict.ok ? [] : verdict.licenses.filter((id) => denied.has(id.toLowerCase()))
}

export function disallowedLicenses(expressions: string[], allow: string[]): string[] {
  if (allow.length === 0) return []
  const allowed = new Set(allow.map((id) => id.toLowerCase()))
  const verdict = judgeLicenses(expressions, (id) => allowed.has(id.toLowerCase()))
  return verdict.ok ? [] : verdict.licenses
}
