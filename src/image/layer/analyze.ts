/**
 * The single streaming pass over one layer blob (docs/architecture.md): verify the
 * blob digest, decompress, compute the diffID, read the tar, classify whiteouts, keep requested
 * file contents and feed every step's visitor — reading each file's bytes once.
 */
import type { Readable } from 'node:stream'
import { Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { Minimatch } from 'minimatch'
import { ImageError } from '../../errors.js'
import { DigestingStream } from '../digest.js'
import type {
  EntrySink,
  FileRequest,
  LayerAnalysis,
  LayerSubscription,
  LayerVisitor,
  Whiteout
} from '../analysis.js'
import { resultKey } from '../analysis.js'
import type { TarEntry } from '../types.js'
import { Decompressor } from './compression.js'
import { readTar, retainedBytes } from './tar.js'
import { formatBytes, formatSizePair } from '../../units.js'

export interface AnalyzeLayerOptions {
  /** Names the layer in errors: "layer NAME: …", usually its digest. */
  name: string
  /** Verified while streaming; a mismatch rejects with an ImageError naming the layer. */
  expectedDigest?: string
  requests: FileRequest[]
  subscriptions: LayerSubscription[]
  /** Shared by every layer of one scan; default: a budget of this layer's own. */
  captureBudget?: CaptureBudget
}

/**
 * Bytes of file contents one scan may keep in memory, across all layers (docs/limits.md): each
 * request's own cap bounds one file, this bounds many files that are each under their cap.
 */
export const CAPTURE_BUDGET_BYTES = 512 * 1024 * 1024

/**
 * Tar entries one scan indexes, across all layers (docs/limits.md). Every entry costs a few
 * hundred bytes in the index and in each step's per-file records; this keeps a scan under 1 GB.
 */
export const MAX_SCAN_ENTRIES = 500_000

/**
 * Bytes of the names, link targets and xattrs one scan keeps, across all layers (docs/limits.md):
 * every layer's entry list holds them until the scan ends, so a bound per layer alone let 32
 * layers of 15,000 16,000-character paths (a 45 MiB image) take 8 GB. Real images keep 10–50 MB
 * (300,000 entries of under 100 characters); this is MAX_SCAN_ENTRIES entries of ~540 each.
 */
export const MAX_SCAN_METADATA_BYTES = 256 * 1024 * 1024

/** Errors that say a layer's bytes could not be read as a layer (not a limit the gate sets). */
const UNREADABLE_LAYER = new Set(['CORRUPT_LAYER', 'CORRUPT_TAR', 'NOT_TAR', 'TRUNCATED_TAR'])

/** What one scan may hold, shared by every layer it reads (layers are read concurrently). */
export class CaptureBudget {
  private used = 0
  private entries = 0
  private metadataBytes = 0
  constructor(
    readonly limit = CAPTURE_BUDGET_BYTES,
    readonly maxEntries = MAX_SCAN_ENTRIES,
    readonly maxMetadataBytes = MAX_SCAN_METADATA_BYTES
  ) {}

  /** Reserves `bytes`; false (and nothing reserved) when that would pass the limit. */
  take(bytes: number): boolean {
    if (this.used + bytes > this.limit) return false
    this.used += bytes
    return true
  }

  give(bytes: number): void {
    this.used -= bytes
  }

  /**
   * Charges a layer analysed in an earlier run (the layer cache) as if it were read now: its
   * entries, their names and its kept contents. False, and no bytes taken, when the contents do
   * not fit.
   */
  admit(analysis: LayerAnalysis, layer: string): boolean {
    let bytes = 0
    for (const content of analysis.contents.values()) bytes += content.length
    if (!this.take(bytes)) return false
    let metadata = 0
    for (const entry of analysis.entries) metadata += retainedBytes(entry)
    for (const whiteout of analysis.whiteouts) metadata += whiteout.path.length
    this.countEntries(layer, analysis.entries.length + analysis.whiteouts.length, metadata)
    return true
  }

  /**
   * Counts `count` more tar entries that keep `metadataBytes` of names, link targets and xattrs;
   * throws naming the limit when the scan would pass either bound.
   */
  countEntries(layer: string, count: number, metadataBytes: number): void {
    this.entries += count
    this.metadataBytes += metadataBytes
    if (this.entries > this.maxEntries) {
      throw new ImageError(
        `${layer}: the image has more than ${this.maxEntries.toLocaleString('en-US')} files, directories and links across its layers, more than the gate indexes in one scan (docs/limits.md); a hostile or unusually large image.`,
        'TOO_MANY_ENTRIES'
      )
    }
    if (this.metadataBytes > this.maxMetadataBytes) {
      throw new ImageError(
        `${layer}: the names, link targets and xattrs of the image's entries pass ${formatBytes(this.maxMetadataBytes)} across its layers, more than the gate keeps in one scan (docs/limits.md); a hostile or unusually large image.`,
        'TOO_MUCH_METADATA'
      )
    }
  }
}

/** OCI image-spec layer.md, "Whiteouts". */
const WHITEOUT_PREFIX = '.wh.'
const OPAQUE_MARKER = '.wh..wh..opq'

/** The whiteout an entry stands for, `null` for other reserved `.wh..wh.` names, or undefined for a real file. */
export function whiteoutOf(path: string): Whiteout | null | undefined {
  const slash = path.lastIndexOf('/')
  const base = path.slice(slash + 1)
  if (!base.startsWith(WHITEOUT_PREFIX)) return undefined
  const dir = path.slice(0, slash)
  if (base === OPAQUE_MARKER) return { path: dir === '' ? '/' : dir, opaque: true }
  // Other `.wh..wh.` names (aufs hard-link bookkeeping) are reserved and carry no file.
  if (base.startsWith(WHITEOUT_PREFIX + WHITEOUT_PREFIX)) return null
  return { path: `${dir}/${base.slice(WHITEOUT_PREFIX.length)}`, opaque: false }
}

/** A FileRequest with its globs compiled once, for testing many entries. */
export interface CompiledRequest {
  matches(entry: TarEntry): boolean
  maxBytes: number
}

export function compileRequests(requests: FileRequest[]): CompiledRequest[] {
  return requests.map((request) => {
    const globs = (request.globs ?? []).map((glob) => new Minimatch(glob, { dot: true }))
    return {
      matches: (entry) =>
        globs.some((glob) => glob.match(entry.path)) || request.match?.(entry) === true,
      maxBytes: request.maxBytes
    }
  })
}

/**
 * Whether to keep a regular file's content: `capture`, or why a file some request matched is not
 * kept (over every matching request's cap, or over the scan's budget), or `ignore`.
 */
function decide(
  requests: CompiledRequest[],
  entry: TarEntry,
  budget: CaptureBudget
): 'capture' | 'ignore' | { unread: string; budget: boolean } {
  const matching = requests.filter((request) => request.matches(entry))
  if (matching.length === 0) return 'ignore'
  const cap = Math.max(...matching.map((request) => request.maxBytes))
  if (entry.size > cap) {
    const [size, limit] = formatSizePair(entry.size, cap)
    return { unread: `it is ${size}, over the ${limit} read of such a file`, budget: false }
  }
  if (!budget.take(entry.size)) {
    return {
      unread: `the scan's budget of ${formatBytes(budget.limit)} for file contents was used up before it`,
      budget: true
    }
  }
  return 'capture'
}

/**
 * Writes into `target` until stopped, then swallows the rest: the blob's digest can still be
 * computed after its decompression or tar failed.
 */
class ForwardUntilStopped extends Writable {
  private stopped = false
  private pending: (() => void) | undefined

  constructor(private readonly target: Writable) {
    super()
    target.on('drain', () => this.release())
  }

  stop(): void {
    this.stopped = true
    this.release()
  }

  private release(): void {
    const pending = this.pending
    this.pending = undefined
    pending?.()
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    if (this.stopped || this.target.write(chunk)) callback()
    else this.pending = callback
  }

  override _final(callback: () => void): void {
    if (!this.stopped) this.target.end()
    callback()
  }
}

export async function analyzeLayer(
  blob: Readable,
  options: AnalyzeLayerOptions
): Promise<LayerAnalysis> {
  const label = `layer ${options.name}`
  const requests = compileRequests(options.requests)
  const visitors = options.subscriptions.map((subscription): [string, LayerVisitor<unknown>] => [
    resultKey(subscription),
    subscription.createVisitor()
  ])
  const raw = new DigestingStream(label, options.expectedDigest)
  const decompressor = new Decompressor(label)
  const uncompressed = new DigestingStream(`${label} (uncompressed)`)
  const entries: TarEntry[] = []
  const whiteouts: Whiteout[] = []
  const contents = new Map<string, Buffer>()
  const unread = new Map<string, string>()
  const budget = options.captureBudget ?? new CaptureBudget()
  let budgetLimited = false

  const consume = async (tar: AsyncIterable<Buffer>): Promise<void> => {
    for await (const { entry, content } of readTar(tar, label)) {
      const whiteout = whiteoutOf(entry.path)
      // What the analysis keeps of the entry, as `admit` charges a cached layer.
      const kept = whiteout === undefined ? retainedBytes(entry) : (whiteout?.path.length ?? 0)
      budget.countEntries(label, 1, kept)
      if (whiteout !== undefined) {
        if (whiteout !== null) whiteouts.push(whiteout)
        continue
      }
      entries.push(entry)
      const sinks: EntrySink[] = []
      for (const [, visitor] of visitors) {
        const sink = visitor.onEntry(entry)
        if (sink !== undefined) sinks.push(sink)
      }
      // A later entry for the same path in this layer replaces what an earlier one captured.
      const replaced = contents.get(entry.path)
      if (replaced !== undefined) budget.give(replaced.length)
      contents.delete(entry.path)
      unread.delete(entry.path)
      const decision = entry.type === 'file' ? decide(requests, entry, budget) : 'ignore'
      if (typeof decision === 'object') {
        unread.set(entry.path, decision.unread)
        budgetLimited ||= decision.budget
      }
      const capture = decision === 'capture'
      if (entry.type === 'file' && (capture || sinks.length > 0)) {
        const chunks: Buffer[] = []
        let length = 0
        for await (const chunk of content as AsyncIterable<Buffer>) {
          for (const sink of sinks) sink.write(chunk)
          if (capture) {
            chunks.push(chunk)
            length += chunk.length
          }
        }
        // Always a copy: the chunks are slices of large stream buffers that must not stay alive.
        if (capture) contents.set(entry.path, Buffer.concat(chunks, length))
      }
      for (const sink of sinks) sink.end()
    }
  }

  // The tar is consumed outside the pipelines so that the first error wins: a visitor's bug or a
  // corrupt entry, rather than the premature close it causes upstream. The blob is hashed in a
  // pipeline of its own so that, when the layer fails to parse, hashing can finish and say
  // whether the bytes are the ones the manifest names: a mismatch is then the true cause.
  const forward = new ForwardUntilStopped(decompressor)
  const reading = pipeline(blob, raw, forward)
  const decoding = pipeline(decompressor, uncompressed)
  try {
    await Promise.all([reading, decoding, consume(uncompressed)])
  } catch (error) {
    forward.stop()
    uncompressed.destroy()
    decompressor.destroy()
    await decoding.catch(() => undefined)
    // Without a digest to check there is nothing to learn from the rest of the blob.
    if (options.expectedDigest === undefined) blob.destroy()
    const read = await reading.then(
      () => true,
      (readError: unknown) => {
        if (readError instanceof ImageError && readError.code === 'DIGEST_MISMATCH') throw readError
        return false
      }
    )
    if (
      read &&
      options.expectedDigest !== undefined &&
      error instanceof ImageError &&
      UNREADABLE_LAYER.has(error.code)
    ) {
      throw new ImageError(
        `${error.message}; the layer's bytes match its digest, so it was built this way, not damaged in transit.`,
        error.code,
        { cause: error }
      )
    }
    throw error
  }
  return {
    diffId: uncompressed.digest,
    digest: raw.digest,
    compressedSize: raw.size,
    uncompressedSize: uncompressed.size,
    compression: decompressor.compression,
    entries,
    whiteouts,
    contents,
    unread,
    visits: new Map(visitors.map(([id, visitor]) => [id, visitor.finish()])),
    budgetLimited
  }
}

/**
 * Reads a layer blob only to check it against its digest: the layer cache already holds its
 * analysis (src/image/layer/cache.ts), and the bytes are at hand anyway (a file or an archive
 * member), so they are still proven to be the ones the manifest names. A mismatch rejects with
 * the same ImageError as a full analysis.
 */
export async function verifyLayerBlob(
  blob: Readable,
  layer: { name: string; expectedDigest: string }
): Promise<void> {
  const digest = new DigestingStream(`layer ${layer.name}`, layer.expectedDigest)
  const discard = new Writable({ write: (_chunk, _encoding, callback) => callback() })
  await pipeline(blob, digest, discard)
}
