/**
 * Canonical JSON for documents that are digested or signed: object keys sorted by code point,
 * no insignificant whitespace, `undefined` members dropped (the JSON Canonicalization Scheme,
 * RFC 8785, for the integers and strings these documents hold).
 */
import { createHash } from 'node:crypto'
import { sha256 } from '../image/digest.js'

/**
 * JSON with object keys sorted and undefined members left out, written directly: no sorted copy
 * of the value is built first (a content manifest has an entry per file).
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) {
    // JSON.stringify writes an undefined array item as null.
    return `[${value.map((item: unknown) => (item === undefined ? 'null' : canonicalJson(item))).join(',')}]`
  }
  if (value !== null && typeof value === 'object') {
    const object = value as Record<string, unknown>
    const members = Object.keys(object)
      .filter((key) => object[key] !== undefined)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(object[key])}`)
    return `{${members.join(',')}}`
  }
  return JSON.stringify(value)
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
