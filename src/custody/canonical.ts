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
  if (value === null || typeof value !== 'object') return JSON.stringify(value)
  if (Array.isArray(value)) {
    let out = '['
    for (let i = 0; i < value.length; i++) out += itemJson(value, i)
    return `${out}]`
  }
  const object = value as Record<string, unknown>
  let out = '{'
  for (const key of Object.keys(object).sort()) {
    const member = object[key]
    if (member === undefined) continue
    out += `${out === '{' ? '' : ','}${JSON.stringify(key)}:${canonicalJson(member)}`
  }
  return `${out}}`
}

/**
 * Item `i` of an array as canonical JSON (by `write`, canonicalJson unless the caller knows the
 * items' shape), with the comma before it (none before the first).
 */
function itemJson<T>(items: T[], i: number, write: (item: T) => string = canonicalJson): string {
  const item = items[i]
  // JSON.stringify writes an undefined array item as null.
  return `${i === 0 ? '' : ','}${item === undefined ? 'null' : write(item)}`
}

/** Text handed to the hash at a time: one call per entry would cost more than the hashing. */
const DIGEST_BATCH_CHARS = 64 * 1024

/**
 * `sha256:<hex>` of the canonical JSON. An array is hashed in batches of items, so a content
 * manifest of a million paths never becomes one string of hundreds of megabytes. `writeItem`
 * writes one item's canonical JSON where the caller has a faster way for its items' shape.
 */
export function canonicalDigest<T>(value: unknown, writeItem?: (item: T) => string): string {
  if (!Array.isArray(value)) return sha256(canonicalJson(value))
  const items = value as T[]
  const hash = createHash('sha256')
  let batch = '['
  for (let i = 0; i < items.length; i++) {
    batch += itemJson(items, i, writeItem)
    if (batch.length >= DIGEST_BATCH_CHARS) {
      hash.update(batch)
      batch = ''
    }
  }
  return `sha256:${hash.update(`${batch}]`).digest('hex')}`
}
