/**
 * Rust dependencies recorded by cargo-auditable (https://github.com/rust-secure-code/cargo-auditable,
 * "format"): zlib-compressed JSON in the `.dep-v0` ELF section, `{ packages: [{ name, version,
 * source, kind?, root? }] }`. The section sits among the non-loaded sections near the file's end.
 */
import { inflateSync } from 'node:zlib'
import type { Draft } from './go.js'
import { purl } from '../../../packages/purl.js'
import { elfSectionsInTail } from './elf.js'

const SECTION = '.dep-v0'

/** The `.dep-v0` section's bytes, when it lies within `tail`. */
export function depSection(ident: Buffer, tail: Buffer, fileSize: number): Buffer | undefined {
  const section = elfSectionsInTail(ident, tail, fileSize).find((s) => s.name === SECTION)
  const tailStart = fileSize - tail.length
  if (section === undefined || section.offset < tailStart) return undefined
  return tail.subarray(section.offset - tailStart, section.offset - tailStart + section.size)
}

/** Throws when the section inflates past `maxBytes` (ERR_BUFFER_TOO_LARGE) or is not JSON. */
export function rustPackages(compressed: Buffer, maxBytes: number): Draft[] {
  const json: unknown = JSON.parse(
    inflateSync(compressed, { maxOutputLength: maxBytes }).toString('utf8')
  )
  const packages =
    typeof json === 'object' && json !== null && 'packages' in json ? json.packages : undefined
  if (!Array.isArray(packages)) return []
  return packages.flatMap((p: unknown): Draft[] => {
    if (typeof p !== 'object' || p === null) return []
    const { name, version, kind } = p as Record<string, unknown>
    // Build dependencies run at compile time and are not in the binary.
    if (typeof name !== 'string' || typeof version !== 'string' || kind === 'build') return []
    return [
      {
        name,
        version,
        ecosystem: 'crates.io',
        purl: purl('cargo', undefined, name, version),
        licenses: []
      }
    ]
  })
}
