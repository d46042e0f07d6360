/**
 * Known-malware hash signatures in ClamAV's formats (ClamAV "Signatures" manual, "Hash-based
 * signatures"): `.hdb`/`.hdu` lines `MD5:size:name`, `.hsb`/`.hsu` lines `hash:size:name`
 * (MD5, SHA-1 or SHA-256 by length; size `*` = any), an optional fourth field being the minimum
 * engine level. Lists come as files or packed in a `.cvd`/`.cld` database: a 512-byte
 * `ClamAV-VDB:` header, then a tar (gzip-compressed in a .cvd) of the database's files.
 * Plus the EICAR test file (eicar.org, "Anti-Malware Testfile"), built in.
 */
import { createHash } from 'node:crypto'
import { Readable } from 'node:stream'
import { createGunzip } from 'node:zlib'
import { ConfigurationError } from '../../errors.js'
import { readTar } from '../../image/layer/tar.js'
import type { SignatureFile } from './settings.js'

export const HASH_ALGORITHMS = ['md5', 'sha1', 'sha256'] as const
export type HashAlgorithm = (typeof HASH_ALGORITHMS)[number]

const ALGORITHM_BY_LENGTH: Record<number, HashAlgorithm> = { 32: 'md5', 40: 'sha1', 64: 'sha256' }
const LIST_EXTENSIONS = /\.(hdb|hsb|hdu|hsu)$/i
const CVD_MAGIC = 'ClamAV-VDB:'
const CVD_HEADER = 512

export interface HashSignature {
  /** The malware name, e.g. `Win.Trojan.Agent-1234`. */
  name: string
  /** Where it was loaded from: `sigs.hsb`, `main.cvd:main.hdb`. */
  source: string
}

/** Loaded signatures by algorithm, then by `hash:size` (`hash:*` for any size). */
export interface SignatureDb {
  count: number
  byHash: Record<HashAlgorithm, Map<string, HashSignature[]>>
  /** File sizes that some signature of the algorithm names; `any` when one names none. */
  sizes: Record<HashAlgorithm, { any: boolean; exact: Set<number> }>
}

export function emptySignatureDb(): SignatureDb {
  const db = { count: 0, byHash: {}, sizes: {} } as SignatureDb
  for (const algorithm of HASH_ALGORITHMS) {
    db.byHash[algorithm] = new Map()
    db.sizes[algorithm] = { any: false, exact: new Set() }
  }
  return db
}

function badList(source: string, line: number, why: string): ConfigurationError {
  return new ConfigurationError(
    `input "malware-signatures": ${source} line ${line} ${why}; write ClamAV hash signatures as hash:size:name.`,
    'BAD_SIGNATURES'
  )
}

/** Adds the signatures of one `.hdb`/`.hsb`-style list to `db`. */
export function addHashList(db: SignatureDb, text: string, source: string): void {
  const lines = text.split('\n')
  lines.forEach((raw, index) => {
    const line = raw.replace(/\r$/, '').trim()
    if (line === '' || line.startsWith('#')) return
    const [hash = '', size = '', name = '', ...rest] = line.split(':')
    const algorithm = ALGORITHM_BY_LENGTH[hash.length]
    if (algorithm === undefined || !/^[0-9a-fA-F]+$/.test(hash)) {
      throw badList(source, index + 1, 'has no MD5, SHA-1 or SHA-256 hash in hex')
    }
    if (size !== '*' && !/^\d+$/.test(size)) {
      throw badList(source, index + 1, `has size "${size}", not a number or *`)
    }
    if (name === '' || rest.length > 1) {
      throw badList(source, index + 1, 'does not have the fields hash:size:name[:level]')
    }
    const key = `${hash.toLowerCase()}:${size}`
    const known = db.byHash[algorithm].get(key)
    const signature = { name, source }
    if (known === undefined) db.byHash[algorithm].set(key, [signature])
    else known.push(signature)
    if (size === '*') db.sizes[algorithm].any = true
    else db.sizes[algorithm].exact.add(Number(size))
    db.count++
  })
}

/** The hash algorithms some signature needs for a file of `size` bytes. */
export function algorithmsFor(db: SignatureDb, size: number): HashAlgorithm[] {
  return HASH_ALGORITHMS.filter((a) => db.sizes[a].any || db.sizes[a].exact.has(size))
}

export function lookup(
  db: SignatureDb,
  algorithm: HashAlgorithm,
  hex: string,
  size: number
): HashSignature[] {
  const map = db.byHash[algorithm]
  return [...(map.get(`${hex}:${size}`) ?? []), ...(map.get(`${hex}:*`) ?? [])]
}

function badDatabase(path: string, why: string, cause?: unknown): ConfigurationError {
  return new ConfigurationError(
    `input "malware-signatures": ${path} ${why}; pass a ClamAV .cvd/.cld as freshclam or sigtool writes it.`,
    'BAD_SIGNATURES',
    cause === undefined ? undefined : { cause }
  )
}

/** Unpacks the hash lists of a .cvd/.cld into `db`; other signature types are counted, not used. */
async function addDatabase(db: SignatureDb, file: SignatureFile): Promise<number> {
  const header = file.bytes.subarray(0, CVD_HEADER).toString('latin1')
  const fields = header.split(':')
  const body = file.bytes.subarray(CVD_HEADER)
  // Header field 6 is the MD5 of everything after the header (ClamAV libclamav/cvd.c).
  const md5 = fields[5] ?? ''
  if (/^[0-9a-f]{32}$/.test(md5) && createHash('md5').update(body).digest('hex') !== md5) {
    throw badDatabase(file.path, 'does not match the MD5 in its header (truncated or corrupt)')
  }
  const gzip = body[0] === 0x1f && body[1] === 0x8b
  const stream = gzip ? Readable.from([body]).pipe(createGunzip()) : Readable.from([body])
  let ignored = 0
  try {
    for await (const { entry, content } of readTar(stream, file.path)) {
      const name = entry.path.slice(1)
      if (entry.type !== 'file') continue
      if (!LIST_EXTENSIONS.test(name)) {
        if (/\.(ndb|ldb|mdb|msb|cdb|ndu|ldu|imp|ign2?|fp|sfp)$/i.test(name)) ignored++
        continue
      }
      const chunks: Buffer[] = []
      for await (const chunk of content as AsyncIterable<Buffer>) chunks.push(chunk)
      addHashList(db, Buffer.concat(chunks).toString('utf8'), `${file.path}:${name}`)
    }
  } catch (error) {
    if (error instanceof ConfigurationError) throw error
    throw badDatabase(file.path, `cannot be unpacked (${(error as Error).message})`, error)
  }
  return ignored
}

export interface LoadedSignatures {
  db: SignatureDb
  /** Signature files inside databases that are not hash lists (content, PE-section, …). */
  ignoredFiles: number
}

export async function loadSignatures(files: SignatureFile[]): Promise<LoadedSignatures> {
  const db = emptySignatureDb()
  let ignoredFiles = 0
  for (const file of files) {
    if (file.bytes.subarray(0, CVD_MAGIC.length).toString('latin1') === CVD_MAGIC) {
      ignoredFiles += await addDatabase(db, file)
    } else {
      addHashList(db, file.bytes.toString('utf8'), file.path)
    }
  }
  return { db, ignoredFiles }
}

/** The 68 characters of the EICAR test file. */
export const EICAR = 'X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*'
/** ClamAV's name for it. */
export const EICAR_NAME = 'Eicar-Test-Signature'
/** The file may carry trailing whitespace up to 128 bytes in all (eicar.org). */
export const EICAR_MAX_SIZE = 128
const EICAR_BYTES = Buffer.from(EICAR, 'latin1')
const EICAR_PADDING = new Set([0x20, 0x09, 0x0a, 0x0d, 0x1a])

export function isEicar(content: Buffer): boolean {
  if (content.length < EICAR_BYTES.length || content.length > EICAR_MAX_SIZE) return false
  if (!content.subarray(0, EICAR_BYTES.length).equals(EICAR_BYTES)) return false
  return content.subarray(EICAR_BYTES.length).every((byte) => EICAR_PADDING.has(byte))
}
