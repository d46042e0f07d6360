/**
 * The single streaming pass over one layer blob (DESIGN.md, performance shape): verify the
 * blob digest, decompress, compute the diffID, read the tar, classify whiteouts, keep requested
 * file contents and feed every step's visitor — reading each file's bytes once.
 */
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { Minimatch } from 'minimatch'
import { DigestingStream } from '../digest.js'
import type {
  EntrySink,
  FileRequest,
  LayerAnalysis,
  LayerSubscription,
  LayerVisitor,
  Whiteout
} from '../analysis.js'
import type { TarEntry } from '../types.js'
import { Decompressor } from './compression.js'
import { readTar } from './tar.js'

export interface AnalyzeLayerOptions {
  /** Names the layer in errors: "layer NAME: …", usually its digest. */
  name: string
  /** Verified while streaming; a mismatch rejects with an ImageError naming the layer. */
  expectedDigest?: string
  requests: FileRequest[]
  subscriptions: LayerSubscription[]
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

interface CompiledRequest {
  globs: Minimatch[]
  match: ((entry: TarEntry) => boolean) | undefined
  maxBytes: number
}

function compile(requests: FileRequest[]): CompiledRequest[] {
  return requests.map((request) => ({
    globs: (request.globs ?? []).map((glob) => new Minimatch(glob, { dot: true })),
    match: request.match,
    maxBytes: request.maxBytes
  }))
}

function wanted(requests: CompiledRequest[], entry: TarEntry): boolean {
  return requests.some(
    (request) =>
      entry.size <= request.maxBytes &&
      (request.globs.some((glob) => glob.match(entry.path)) || request.match?.(entry) === true)
  )
}

export async function analyzeLayer(
  blob: Readable,
  options: AnalyzeLayerOptions
): Promise<LayerAnalysis> {
  const label = `layer ${options.name}`
  const requests = compile(options.requests)
  const visitors = options.subscriptions.map((subscription): [string, LayerVisitor<unknown>] => [
    subscription.id,
    subscription.createVisitor()
  ])
  const raw = new DigestingStream(label, options.expectedDigest)
  const decompressor = new Decompressor(label)
  const uncompressed = new DigestingStream(`${label} (uncompressed)`)
  const entries: TarEntry[] = []
  const whiteouts: Whiteout[] = []
  const contents = new Map<string, Buffer>()

  const consume = async (tar: AsyncIterable<Buffer>): Promise<void> => {
    for await (const { entry, content } of readTar(tar, label)) {
      const whiteout = whiteoutOf(entry.path)
      if (whiteout !== undefined) {
        if (whiteout !== null) {
          whiteouts.push(whiteout)
          for (const [, visitor] of visitors) visitor.onWhiteout?.(whiteout)
        }
        continue
      }
      entries.push(entry)
      const sinks: EntrySink[] = []
      for (const [, visitor] of visitors) {
        const sink = visitor.onEntry(entry)
        if (sink !== undefined) sinks.push(sink)
      }
      // A later entry for the same path in this layer replaces what an earlier one captured.
      contents.delete(entry.path)
      const capture = entry.type === 'file' && wanted(requests, entry)
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

  // The tar is consumed outside the pipeline so that the first error wins: a visitor's bug or
  // a corrupt entry, rather than the premature close it causes upstream.
  const streaming = pipeline(blob, raw, decompressor, uncompressed)
  try {
    await Promise.all([streaming, consume(uncompressed)])
  } catch (error) {
    blob.destroy()
    uncompressed.destroy()
    await streaming.catch(() => undefined)
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
    visits: new Map(visitors.map(([id, visitor]) => [id, visitor.finish()]))
  }
}
