/**
 * How steps get at layer bytes without a second pass (docs/architecture.md).
 *
 * Every layer is read once, as a stream. While it streams, the engine
 * - records every tar header (to build the final filesystem index),
 * - keeps the bytes of files some step asked for with a FileRequest (in its `needs`),
 * - feeds every entry to the LayerVisitor of each LayerSubscription a step's `needs` named, which
 *   may ask for the entry's content.
 * A layer's analysis is a pure function of its bytes, so layers can be analysed in any order
 * (or in parallel, or taken from a cache keyed by diffID) and combined in layer order later.
 */
import type { TarEntry } from './types.js'

/**
 * Files whose content a step needs from the final filesystem. A request is part of the layer
 * cache's key (src/image/layer/cache.ts): its globs and cap as they are, a predicate by the
 * `matchKey` it carries, which must change whenever what the predicate accepts changes.
 */
export type FileRequest = {
  /** minimatch globs against the absolute path, e.g. `/etc/passwd`, `/usr/lib/**\/*.so`. */
  globs?: string[]
  /** Files larger than this are not kept (their header still is). */
  maxBytes: number
} & (
  | { match?: undefined }
  | {
      /** Or a predicate on the header (e.g. regular files with an executable bit). */
      match: (entry: TarEntry) => boolean
      /** Names the predicate and its version, e.g. `executables@1`. */
      matchKey: string
    }
)

/** Receives one entry's content, chunk by chunk, during the streaming pass. */
export interface EntrySink {
  write(chunk: Buffer): void
  end(): void
}

/** Sees every entry of one layer, including files that a later layer deletes. */
export interface LayerVisitor<R> {
  /** Return a sink to receive the entry's content (regular files only), or nothing to skip it. */
  onEntry(entry: TarEntry): EntrySink | undefined
  /** Called once the layer has been read completely. */
  finish(): R
}

/**
 * Names one subscription's per-layer results and their type. `version` changes whenever what
 * its visitor computes changes, so a per-layer result kept from another run (a cache keyed by
 * diffID) is only ever read by the analysis that made it.
 */
export interface SubscriptionKey<R> {
  readonly id: string
  readonly version: number
  /** Never set: carries the result type, so `visits(key)` is typed. */
  readonly result?: R
}

/** Where a layer's analysis keeps one subscription's result: its id and version. */
export function resultKey(key: SubscriptionKey<unknown>): string {
  return `${key.id}@${key.version}`
}

/** What one step wants to see of each layer (one of its `needs`). */
export interface LayerSubscription<R = unknown> extends SubscriptionKey<R> {
  /**
   * Every setting its visitors' results depend on, as text (`''` when none: the results depend
   * on the layer's bytes alone). With `id` and `version` it is part of the layer cache's key, so
   * results made under other settings (custom secret rules, signature files) are never reused.
   */
  readonly settings: string
  /**
   * A fresh visitor per layer. It is not told the layer's position: archive sources may read
   * layers out of order, and results are handed back to the step in layer order.
   */
  createVisitor(): LayerVisitor<R>
}

/** A whiteout entry (`.wh.NAME`) or an opaque-directory marker (`.wh..wh..opq`), OCI image-spec layer.md. */
export interface Whiteout {
  /** The absolute path it deletes, or the directory it makes opaque. */
  path: string
  opaque: boolean
}

/** Everything the single pass over one layer produced. */
export interface LayerAnalysis {
  /** sha256 of the uncompressed tar stream. */
  diffId: string
  /** sha256 of the bytes as stored (compressed). */
  digest: string
  compressedSize: number
  uncompressedSize: number
  compression: 'gzip' | 'zstd' | 'none'
  /** Headers in tar order; whiteout markers are not in here. */
  entries: TarEntry[]
  whiteouts: Whiteout[]
  /** Content of files matched by a FileRequest, by path. */
  contents: Map<string, Buffer>
  /** Files a FileRequest matched whose content was not kept, by path: why (over a cap or budget). */
  unread: Map<string, string>
  /** Results of LayerSubscriptions, by `resultKey` (id and version). */
  visits: Map<string, unknown>
  /**
   * Some file was not kept because the scan's budget for file contents (shared by every layer)
   * was used up: what this layer kept depends on the other layers, so it is not cached.
   */
  budgetLimited: boolean
}
