/**
 * Records a cataloger could not read (docs/architecture.md: one bad record is skipped, never
 * silently). Many bad records in one file are one `composition/input-not-analysed` finding that
 * names how many and where the first is, so a file of 10⁵ broken paragraphs is one line.
 */
import type { UnreadInput } from '../findings.js'
import type { ImageView } from '../steps/step.js'

export class BadRecords {
  private counted = 0
  private firstOne = ''

  /** `where` names the record and why, e.g. `paragraph 3 (line 17) has no Package field`. */
  add(where: string): void {
    if (this.counted++ === 0) this.firstOne = where
  }

  /** How many records could not be read. */
  get count(): number {
    return this.counted
  }

  /** Where the first is and why, as given to `add`. */
  get first(): string {
    return this.firstOne
  }

  /** The unread input for `path`, or undefined when every record was read. */
  unread(image: ImageView, path: string, noun: string): UnreadInput | undefined {
    if (this.counted === 0) return undefined
    const which =
      this.counted === 1 ? `1 ${noun}` : `${this.counted} ${noun}s (the first: ${this.firstOne})`
    const detail = this.counted === 1 ? ` (${this.firstOne})` : ''
    return unreadFile(
      image,
      path,
      `${which} could not be read${detail}; those packages are not in the SBOM`
    )
  }
}

/** A whole file a cataloger could not read; the layer is the one that wrote it last. */
export function unreadFile(image: ImageView, path: string, reason: string): UnreadInput {
  const layerDigest = layerOf(image, path)
  return layerDigest === undefined ? { path, reason } : { path, layerDigest, reason }
}

/** The compressed digest of the layer that last wrote `path` in the final filesystem. */
export function layerOf(image: ImageView, path: string): string | undefined {
  const node = image.fs.get(path)
  return node === undefined ? undefined : image.layers[node.layer]?.digest
}
