/**
 * rpm's NDB backend `Packages.db` (SUSE; rpm's lib/backend/ndb/rpmpkg.c): a 32-byte file
 * header (`RpmP`), then slot pages of 16-byte slots (`Slot`, package index, block offset,
 * block count) pointing at blobs (`BlbS` head: magic, package index, generation, length),
 * all little-endian, in 16-byte blocks. The blob is a header blob.
 */
import { Claims } from './claims.js'

const PAGE_SIZE = 4096
const SLOT_SIZE = 16
const BLOCK_SIZE = 16
const FILE_HEADER_SIZE = 32
const FILE_MAGIC = 0x506d7052 // 'RpmP'
const SLOT_MAGIC = 0x746f6c53 // 'Slot'
const BLOB_MAGIC = 0x53626c42 // 'BlbS'
const BLOB_HEAD_SIZE = 16

export function isNdb(bytes: Buffer): boolean {
  return bytes.length >= FILE_HEADER_SIZE && bytes.readUInt32LE(0) === FILE_MAGIC
}

/** Every package's header blob; a damaged slot or blob is skipped and named to `onBad`. */
export function ndbBlobs(bytes: Buffer, onBad: (where: string) => void): Buffer[] {
  const slotPages = bytes.readUInt32LE(12)
  const end = Math.min(slotPages * PAGE_SIZE, bytes.length)
  const blocks = new Claims(Math.ceil(bytes.length / BLOCK_SIZE))
  const blobs: Buffer[] = []
  for (let at = FILE_HEADER_SIZE; at + SLOT_SIZE <= end; at += SLOT_SIZE) {
    if (bytes.readUInt32LE(at) !== SLOT_MAGIC) {
      onBad(`the slot at offset ${at} has no Slot magic`)
      continue
    }
    const pkgIndex = bytes.readUInt32LE(at + 4)
    if (pkgIndex === 0) continue
    const blob = bytes.readUInt32LE(at + 8) * BLOCK_SIZE
    if (blob + BLOB_HEAD_SIZE > bytes.length || bytes.readUInt32LE(blob) !== BLOB_MAGIC) {
      onBad(`the blob of package ${pkgIndex} is outside the file or has no BlbS magic`)
      continue
    }
    const length = bytes.readUInt32LE(blob + 12)
    if (blob + BLOB_HEAD_SIZE + length > bytes.length) {
      onBad(`the blob of package ${pkgIndex} is truncated`)
      continue
    }
    // Slots that point into one blob would have it parsed once per slot.
    const blobEnd = Math.ceil((blob + BLOB_HEAD_SIZE + length) / BLOCK_SIZE)
    if (!blocks.claim(blob / BLOCK_SIZE, blobEnd)) {
      onBad(`the blob of package ${pkgIndex} overlaps another package's blob`)
      continue
    }
    blobs.push(bytes.subarray(blob + BLOB_HEAD_SIZE, blob + BLOB_HEAD_SIZE + length))
  }
  return blobs
}
