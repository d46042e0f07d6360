/**
 * The hardening step's one streaming pass over each layer: every text file scanned for secrets —
 * including files a later layer deletes, which are still in the image — and core dumps. What a
 * layer wrote and deleted (for wasted space and a secret's fate) is the layer's own entries and
 * whiteouts (ImageView.layerChanges), not kept twice.
 */
import { performance } from 'node:perf_hooks'
import type {
  EntrySink,
  LayerSubscription,
  LayerVisitor,
  SubscriptionKey
} from '../../image/analysis.js'
import type { TarEntry } from '../../image/types.js'
import type { SecretMatch, SecretScanner } from '../../secrets/scanner.js'
import { countInto, type Uncounted } from '../../findings.js'

/** The hardening step's per-layer results. */
export const HARDENING_LAYERS: SubscriptionKey<HardeningLayerVisit> = {
  id: 'hardening',
  version: 6
}

/** git's heuristic (xdiff `buffer_is_binary`): a NUL byte in the first 8000 bytes means binary. */
const SNIFF_BYTES = 8000

export interface LayerFile {
  path: string
  size: number
}

/** The secrets of one file: its path once, however many it holds (a path may be 16,383 characters). */
export interface SecretFile {
  path: string
  secrets: SecretMatch[]
}

/**
 * Secrets one layer keeps (docs/limits.md), ~150 bytes each: the scanner reports at most 20 values
 * per rule per file, but an image chooses how many files. A real layer holds a handful; past this
 * many the rest are counted per rule (`HardeningLayerVisit.unkept`), never dropped silently.
 */
export const MAX_LAYER_SECRETS = 200_000

export interface ScanStats {
  /** Text files scanned, and their bytes. */
  files: number
  bytes: number
  /** Files skipped as binary. */
  binary: number
  /** Time spent decoding and scanning, in milliseconds. */
  ms: number
}

export interface HardeningLayerVisit {
  secretFiles: SecretFile[]
  /** Secrets past MAX_LAYER_SECRETS, counted per rule, when there were any. */
  unkept?: Array<Uncounted & { rule: string }>
  /** Text files larger than the scan limit: not scanned. */
  oversized: LayerFile[]
  /** Files whose content is an ELF core dump. */
  coreDumps: string[]
  stats: ScanStats
}

/** ELF header (System V gABI): e_ident[EI_DATA] at 5 gives the byte order of e_type at 16; ET_CORE is 4. */
function isCoreDump(head: Buffer): boolean {
  if (head.length < 18 || head.readUInt32BE(0) !== 0x7f454c46) return false
  const type = head[5] === 2 ? head.readUInt16BE(16) : head.readUInt16LE(16)
  return type === 4
}

class FileSink implements EntrySink {
  private chunks: Buffer[] = []
  private length = 0
  private sniffed = 0
  private binary = false
  private head: Buffer | undefined
  /** A `.p12`/`.pfx` file: binary, and still read whole for `scanKeyStore`. */
  private readonly keyStore: boolean

  constructor(
    private readonly entry: TarEntry,
    private readonly scan: boolean,
    private readonly visit: HardeningLayerVisit,
    /** Keeps a file's secrets (`keeper`). */
    private readonly keep: (path: string, found: SecretMatch[]) => void,
    private readonly scanner: SecretScanner
  ) {
    this.keyStore = scanner.isKeyStorePath(entry.path)
  }

  write(chunk: Buffer): void {
    this.head ??= Buffer.from(chunk.subarray(0, 18))
    if (this.binary && !this.keyStore) return
    if (!this.binary && this.sniffed < SNIFF_BYTES) {
      const window = chunk.subarray(0, SNIFF_BYTES - this.sniffed)
      if (window.includes(0)) {
        this.binary = true
        if (!this.keyStore) {
          this.chunks = []
          return
        }
      }
      this.sniffed += window.length
    }
    if (this.scan) {
      this.chunks.push(chunk)
      this.length += chunk.length
    }
  }

  end(): void {
    const { visit, entry } = this
    if (this.head !== undefined && isCoreDump(this.head)) visit.coreDumps.push(entry.path)
    if (this.keyStore && this.scan) {
      const store = this.scanner.scanKeyStore(Buffer.concat(this.chunks, this.length), entry.path)
      if (store !== undefined) this.keep(entry.path, [store])
    }
    if (this.binary) {
      visit.stats.binary += 1
      return
    }
    if (!this.scan) {
      visit.oversized.push({ path: entry.path, size: entry.size })
      return
    }
    const started = performance.now()
    const text = Buffer.concat(this.chunks, this.length).toString('latin1')
    this.chunks = []
    this.keep(entry.path, this.scanner.scan(text, entry.path))
    visit.stats.files += 1
    visit.stats.bytes += this.length
    visit.stats.ms += performance.now() - started
  }
}

/** Keeps each file's secrets in `visit` up to the layer's bound, counting the rest. */
function keeper(visit: HardeningLayerVisit): (path: string, found: SecretMatch[]) => void {
  let kept = 0
  return (path, found) => {
    if (found.length === 0) return
    const room = Math.max(0, MAX_LAYER_SECRETS - kept)
    if (room > 0) visit.secretFiles.push({ path, secrets: found.slice(0, room) })
    kept += Math.min(room, found.length)
    for (const secret of found.slice(room)) {
      const unkept = (visit.unkept ??= [])
      const index = unkept.findIndex((counted) => counted.rule === secret.rule)
      if (index === -1)
        unkept.push({ rule: secret.rule, count: 1, severity: secret.severity, path })
      else countInto(unkept[index], 1, secret.severity, path)
    }
  }
}

/** `settings` names the scanner's rules and options (the layer cache's key, LayerSubscription.settings). */
export function hardeningSubscription(
  scanner: SecretScanner,
  maxScanBytes: number,
  settings: string
): LayerSubscription<HardeningLayerVisit> {
  return {
    ...HARDENING_LAYERS,
    settings: JSON.stringify([settings, maxScanBytes]),
    createVisitor(): LayerVisitor<HardeningLayerVisit> {
      // A hasher per layer: which values get the slow hash then depends on this layer's bytes
      // alone, so a layer's result is the same read now, in another scan, or from the cache.
      const layerScanner = scanner.withOwnHasher()
      const visit: HardeningLayerVisit = {
        secretFiles: [],
        oversized: [],
        coreDumps: [],
        stats: { files: 0, bytes: 0, binary: 0, ms: 0 }
      }
      const keep = keeper(visit)
      return {
        onEntry(entry) {
          if (entry.type !== 'file' || entry.size === 0) return undefined
          return new FileSink(entry, entry.size <= maxScanBytes, visit, keep, layerScanner)
        },
        finish: () => visit
      }
    }
  }
}
