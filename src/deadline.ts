/**
 * The whole scan's wall-time bound (input "timeout", docs/architecture.md). It knows what the
 * scan is doing — reading the image (which layers), preparing or running a step — so that the
 * error names what was slow, and it stops that work: the abort signal goes to the image source
 * and steps, and every layer blob still being read is destroyed.
 */
import type { Readable } from 'node:stream'
import { ConfigurationError } from './errors.js'
import { formatDuration } from './input-values.js'

/** The default of input "timeout" (src/inputs.ts), for callers of the engine that give none. */
export const DEFAULT_TIMEOUT_MS = 30 * 60_000

/** At most this many in-flight layers are named in the error; the rest are counted. */
const LAYERS_NAMED = 3

export class ScanDeadline {
  private readonly controller = new AbortController()
  /** What the scan is doing, as the error completes "it was …". */
  private phase = 'starting'
  /** The image being read while the phase is reading one. */
  private reading: string | undefined
  private readonly layers = new Set<{ name: string; blob: Readable }>()
  private layersRead = 0

  constructor(readonly timeoutMs: number) {}

  get signal(): AbortSignal {
    return this.controller.signal
  }

  /** Records the next phase, after stopping if the deadline has already passed. */
  enter(phase: string): void {
    this.signal.throwIfAborted()
    this.phase = phase
    this.reading = undefined
  }

  /** Records that `image` is being read, layer by layer (see `layer`). */
  enterImage(image: string): void {
    this.enter(`reading ${image}`)
    this.reading = image
    this.layersRead = 0
  }

  /** Tracks one layer blob while it is read; call the returned function when it is done. */
  layer(name: string, blob: Readable): () => void {
    if (this.signal.aborted) blob.destroy(this.signal.reason as Error)
    const entry = { name: name.startsWith('layer ') ? name.slice(6) : name, blob }
    this.layers.add(entry)
    return () => {
      if (this.layers.delete(entry)) this.layersRead++
    }
  }

  /** Ends the scan: the error names what was running, and every read in flight is stopped. */
  expire(): ConfigurationError {
    const error = new ConfigurationError(
      `the scan did not finish within ${formatDuration(this.timeoutMs)} (input "timeout"): it was ${this.describe()}; raise "timeout" or find out why that is slow.`,
      'SCAN_TIMEOUT'
    )
    this.controller.abort(error)
    for (const { blob } of this.layers) blob.destroy(error)
    this.layers.clear()
    return error
  }

  private describe(): string {
    if (this.reading === undefined) return this.phase
    const names = [...this.layers].map((layer) => layer.name)
    if (names.length === 0) {
      return this.layersRead === 0
        ? `${this.phase}, before its first layer (manifest, config or connection)`
        : `${this.phase}, after ${this.layersRead} layers, before the next one started`
    }
    const named = names.slice(0, LAYERS_NAMED).join(', ')
    const more = names.length > LAYERS_NAMED ? ` and ${names.length - LAYERS_NAMED} more` : ''
    return `${this.phase}, at layer${names.length === 1 ? '' : 's'} ${named}${more} (${this.layersRead} layers read before)`
  }
}

/**
 * Runs `work` under a deadline of `timeoutMs`: its result, or the deadline's error once the time
 * passes. The timer is cleared when either settles, so nothing is left to hold the process.
 */
export async function withDeadline<T>(
  timeoutMs: number,
  work: (deadline: ScanDeadline) => Promise<T>
): Promise<T> {
  const deadline = new ScanDeadline(timeoutMs)
  let timer: NodeJS.Timeout | undefined
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(deadline.expire()), timeoutMs)
  })
  try {
    return await Promise.race([work(deadline), expired])
  } finally {
    clearTimeout(timer)
  }
}

/** How long work the scan abandoned may take to wind down once the result is out. */
export const EXIT_GRACE_MS = 5000

/**
 * Called by the entry points once the result is written and the exit status set. Work that a
 * deadline or an error abandoned — a source or download that does not honour its abort yet —
 * must not hold the job: after `graceMs` the process exits with the status already set, naming
 * what was still open so the leak can be fixed. The timer is unref'd: a process with nothing
 * left to do exits at once, without waiting for it.
 */
export function exitAfterGrace(
  write: (line: string) => void,
  graceMs: number = EXIT_GRACE_MS
): void {
  setTimeout(() => {
    const open = new Map<string, number>()
    for (const kind of process.getActiveResourcesInfo()) open.set(kind, (open.get(kind) ?? 0) + 1)
    const what = [...open].map(([kind, count]) => `${count} ${kind}`).join(', ')
    write(
      `container-gate: work was still running ${graceMs / 1000}s after the result (${what}); exiting.\n`
    )
    process.exit()
  }, graceMs).unref()
}
