/**
 * The code step's per-layer pass (src/image/analysis.ts): every regular file of every layer is
 * seen once, as it streams. ELF files of any size are parsed from the ranges their headers name,
 * kept as they stream by (ElfStream, at most MAX_ELF_BYTES of one file); scripts and configs are
 * scanned line by line; every file is hashed with only the algorithms some loaded signature needs
 * for its size, and EICAR-sized files are compared with EICAR. Results are plain data per path; the step keeps the final-filesystem ones.
 */
import { createHash, type Hash } from 'node:crypto'
import { Minimatch } from 'minimatch'
import type {
  EntrySink,
  LayerSubscription,
  LayerVisitor,
  SubscriptionKey
} from '../../image/analysis.js'
import type { TarEntry } from '../../image/types.js'
import { ELF_MAGIC, ELF_WINDOWS, ElfStream, type ElfHardening } from './elf.js'
import {
  algorithmsFor,
  EICAR,
  EICAR_MAX_SIZE,
  EICAR_NAME,
  isEicar,
  lookup,
  type HashAlgorithm,
  type SignatureDb
} from './signatures.js'
import {
  kindsByName,
  kindsByShebang,
  SOURCE_RULES,
  SourceScanner,
  type SourceMatch,
  type SourcePattern
} from './source-rules.js'
import { countInto, type Uncounted } from '../../findings.js'

/** The code step's per-layer results. */
export const CODE_LAYERS: SubscriptionKey<CodeLayerResult> = { id: 'code', version: 3 }

/**
 * Static-analysis matches one layer keeps (docs/limits.md), ~50 bytes each: at most 20 per rule per
 * file, but an image chooses how many files. Past this many the rest are counted per rule
 * (`CodeLayerResult.unkept`).
 */
export const MAX_LAYER_SOURCE_MATCHES = 200_000

/** The bytes of one ELF file kept while it streams (ELF_WINDOWS.budget), whatever its size. */
export const MAX_ELF_BYTES = ELF_WINDOWS.budget
/** Enough for an ELF header, a `#!` line and a whole EICAR file. */
const HEAD_BYTES = 256
/** An ELF header is 52 bytes (ELFCLASS32) or 64 (ELFCLASS64). */
const MIN_ELF_BYTES = 52

export interface MalwareMatch {
  name: string
  /** Where the signature came from, or `built-in` for EICAR. */
  source: string
}

/** What the pass found in one file; absent fields mean "not applicable". */
export interface FileResult {
  path: string
  elf?: ElfHardening
  /** Why an ELF file got no verdict: bytes a verdict needs were not kept while it streamed. */
  elfUnread?: string
  source?: SourceMatch[]
  malware?: MalwareMatch[]
}

export interface CodeLayerResult {
  files: FileResult[]
  /** Static-analysis matches past MAX_LAYER_SOURCE_MATCHES, per rule, when there were any. */
  unkept?: Array<Uncounted & { rule: SourceMatch['rule'] }>
  /** Files whose content was hashed for signatures. */
  hashed: number
  /** How many hash signatures were loaded, for the step's notes. */
  signatures: number
  ignoredSignatureFiles: number
}

export interface CodeVisitorOptions {
  signatures: SignatureDb
  /** Files in signature databases that are not hash lists (reported, not used). */
  ignoredSignatureFiles: number
  /** EICAR and hash signatures are matched. */
  malware: boolean
  elf: boolean
  /** Static-analysis patterns of the rules that are not switched off. */
  sourcePatterns: readonly SourcePattern[]
  exclude: string[]
  /** Bytes kept of one ELF file; default MAX_ELF_BYTES. */
  maxElfBytes?: number
}

class FileSink implements EntrySink {
  private head: Buffer[] = []
  private headLength = 0
  private decided = false
  private elf: ElfStream | undefined
  private scanner: SourceScanner | undefined
  private readonly hashes: Array<[HashAlgorithm, Hash]>
  private readonly maxElfBytes: number

  constructor(
    private readonly entry: TarEntry,
    private readonly options: CodeVisitorOptions,
    private readonly sniffElf: boolean,
    private readonly sniffSource: boolean,
    algorithms: HashAlgorithm[],
    private readonly done: (result: FileResult, hashed: boolean) => void
  ) {
    this.hashes = algorithms.map((algorithm) => [algorithm, createHash(algorithm)])
    this.maxElfBytes = options.maxElfBytes ?? MAX_ELF_BYTES
  }

  write(chunk: Buffer): void {
    for (const [, hash] of this.hashes) hash.update(chunk)
    if (this.decided) {
      this.consume(chunk)
      return
    }
    this.head.push(chunk)
    this.headLength += chunk.length
    if (this.headLength >= HEAD_BYTES || this.headLength >= this.entry.size) this.decide()
    // Chunks are slices of large stream buffers: keep a copy of the few head bytes only.
    else this.head = [Buffer.concat(this.head, this.headLength)]
  }

  end(): void {
    if (!this.decided) this.decide()
    this.scanner?.end()
    const result: FileResult = { path: this.entry.path }
    const malware = this.malware()
    if (malware.length > 0) result.malware = malware
    const check = this.elf?.check()
    this.elf = undefined
    if (check !== undefined && 'elf' in check) result.elf = check.elf
    if (check !== undefined && 'unread' in check) {
      result.elfUnread = `it is an ELF file of ${this.entry.size} bytes and ${check.unread}`
    }
    if (this.scanner !== undefined && this.scanner.matches.length > 0) {
      result.source = this.scanner.matches
    }
    this.done(result, this.hashes.length > 0)
  }

  private headBytes(): Buffer {
    return this.head.length === 1 ? this.head[0]! : Buffer.concat(this.head, this.headLength)
  }

  private decide(): void {
    this.decided = true
    const whole = this.headBytes()
    const head = Buffer.from(whole.subarray(0, HEAD_BYTES))
    this.head = [head]
    if (this.sniffElf && head.subarray(0, 4).equals(ELF_MAGIC)) {
      this.elf = new ElfStream(this.entry.size, { budget: this.maxElfBytes })
    }
    if (this.sniffSource && head.subarray(0, HEAD_BYTES).indexOf(0) === -1) {
      const byName = kindsByName(this.entry.path)
      const kinds = byName.length > 0 ? byName : kindsByShebang(head)
      const scanner =
        kinds.length === 0 ? undefined : new SourceScanner(kinds, this.options.sourcePatterns)
      if (scanner?.active === true) this.scanner = scanner
    }
    this.consume(whole)
  }

  private consume(chunk: Buffer): void {
    this.elf?.write(chunk)
    this.scanner?.write(chunk)
  }

  private malware(): MalwareMatch[] {
    const matches: MalwareMatch[] = []
    if (!this.options.malware) return matches
    if (this.entry.size <= EICAR_MAX_SIZE && this.entry.size >= EICAR.length) {
      if (isEicar(this.headBytes())) matches.push({ name: EICAR_NAME, source: 'built-in' })
    }
    for (const [algorithm, hash] of this.hashes) {
      const hex = hash.digest('hex')
      for (const signature of lookup(this.options.signatures, algorithm, hex, this.entry.size)) {
        matches.push({ name: signature.name, source: signature.source })
      }
    }
    return matches
  }
}

class CodeVisitor implements LayerVisitor<CodeLayerResult> {
  private readonly results = new Map<string, FileResult>()
  private readonly exclude: Minimatch[]
  private hashed = 0
  private keptMatches = 0
  private unkept: Array<Uncounted & { rule: SourceMatch['rule'] }> | undefined

  constructor(private readonly options: CodeVisitorOptions) {
    this.exclude = options.exclude.map((glob) => new Minimatch(glob, { dot: true }))
  }

  onEntry(entry: TarEntry): EntrySink | undefined {
    // A later entry for the same path in this layer replaces what an earlier one produced.
    this.results.delete(entry.path)
    if (entry.type !== 'file') return undefined
    const { options } = this
    const included = !this.exclude.some((glob) => glob.match(entry.path))
    const sniffElf = options.elf && included && entry.size >= MIN_ELF_BYTES
    const sniffSource = options.sourcePatterns.length > 0 && included && entry.size > 0
    const algorithms = options.malware ? algorithmsFor(options.signatures, entry.size) : []
    const eicar = options.malware && entry.size >= EICAR.length && entry.size <= EICAR_MAX_SIZE
    if (!sniffElf && !sniffSource && algorithms.length === 0 && !eicar) return undefined
    return new FileSink(entry, options, sniffElf, sniffSource, algorithms, (result, hashed) => {
      if (hashed) this.hashed++
      if (result.source !== undefined) this.bound(result)
      if (Object.keys(result).length > 1) this.results.set(result.path, result)
    })
  }

  /** Keeps a file's static-analysis matches up to the layer's bound, counting the rest. */
  private bound(result: FileResult): void {
    const matches = result.source!
    const room = Math.max(0, MAX_LAYER_SOURCE_MATCHES - this.keptMatches)
    this.keptMatches += Math.min(room, matches.length)
    for (const match of matches.slice(room)) {
      const unkept = (this.unkept ??= [])
      const counted = unkept.find((entry) => entry.rule === match.rule)
      const { severity } = SOURCE_RULES[match.rule]
      if (counted === undefined)
        unkept.push({ rule: match.rule, count: 1, severity, path: result.path })
      else countInto(counted, 1, severity, result.path)
    }
    if (room === 0) delete result.source
    else if (room < matches.length) result.source = matches.slice(0, room)
  }

  finish(): CodeLayerResult {
    return {
      files: [...this.results.values()],
      ...(this.unkept === undefined ? {} : { unkept: this.unkept }),
      hashed: this.hashed,
      signatures: this.options.signatures.count,
      ignoredSignatureFiles: this.options.ignoredSignatureFiles
    }
  }
}

/** `settings` names everything in `options` (the layer cache's key, LayerSubscription.settings). */
export function codeSubscription(
  options: CodeVisitorOptions,
  settings: string
): LayerSubscription<CodeLayerResult> {
  return { ...CODE_LAYERS, settings, createVisitor: () => new CodeVisitor(options) }
}
