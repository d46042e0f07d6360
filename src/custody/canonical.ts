/**
 * Canonical JSON for documents that are digested or signed: object keys sorted by code point,
 * no insignificant whitespace, `undefined` members dropped (the JSON Canonicalization Scheme,
 * RFC 8785, for the integers and strings these documents hold).
 */
import { createHash } from 'node:crypto'
import { sha256 } from '../image/digest.js'

function canonicalValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonicalValue)
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, member]) => member !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return Object.fromEntries(entries.map(([key, member]) => [key, canonicalValue(member)]))
  }
  return value
}

export function canonicalJson(value: unknown): string {
  return JSON.stringify(canonicalValue(value))
}

/**
 * `sha256:<hex>` of the canonical JSON. An array is hashed item by item, so a content manifest of
 * a million paths never becomes one string of hundreds of megabytes.
 */
export function canonicalDigest(value: unknown): string {
  if (!Array.isArray(value)) return sha256(canonicalJson(value))
  const hash = createHash('sha256').update('[')
  value.forEach((item: unknown, index) => {
    if (index > 0) hash.update(',')
    // JSON.stringify writes an undefined array item as null.
    hash.update(canonicalJson(item) ?? 'null')
  })
  return `sha256:${hash.update(']').digest('hex')}`
}
