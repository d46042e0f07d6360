/**
 * Writes the full-size hostile images of __tests__/hostile/decompression.test.ts as OCI layouts,
 * for measuring peak memory and time by hand (too big and slow for CI):
 *
 *   node scripts/run-ts.mjs scripts/hostile-decompression.ts .bench/hostile
 *   /usr/bin/time -v node dist/cli.js scan oci:.bench/hostile/rust-dep-bomb --steps composition ...
 *
 * Each layer is under 10 MB compressed and is built as a stream, never held decompressed.
 */
import { deflatedMember, elfWithDepSection, zipOf } from '../__fixtures__/hostile-files.js'
import { createHash } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import * as zlib from 'node:zlib'

const BLOCK = 512
const MiB = 1024 * 1024

function sha256(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`
}

/** A ustar header; `L` and `g` headers as GNU tar and POSIX pax write them. */
function header(name: string, type: string, size: number, mode = 0o644): Buffer {
  const block = Buffer.alloc(BLOCK)
  block.write(name, 0, 100, 'utf8')
  block.write(mode.toString(8).padStart(7, '0'), 100, 'ascii')
  block.write('0000000', 108, 'ascii')
  block.write('0000000', 116, 'ascii')
  block.write(size.toString(8).padStart(11, '0'), 124, 'ascii')
  block.write('14575417200', 136, 'ascii')
  block.write(type, 156, 'ascii')
  block.write('ustar\u000000', 257, 'ascii')
  block.fill(0x20, 148, 156)
  let sum = 0
  for (const byte of block) sum += byte
  block.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'ascii')
  return block
}

function padding(size: number): Buffer {
  return Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK)
}

/** gzip of a sequence of pieces, without holding their concatenation (one deflate stream). */
async function gzipPieces(pieces: Iterable<Buffer>): Promise<{ blob: Buffer; diffId: string }> {
  const hash = createHash('sha256')
  const gzip = zlib.createGzip({ level: 9 })
  const out: Buffer[] = []
  gzip.on('data', (chunk: Buffer) => out.push(chunk))
  const done = new Promise((resolve) => gzip.on('end', resolve))
  for (const piece of pieces) {
    hash.update(piece)
    if (!gzip.write(piece)) await new Promise((resolve) => gzip.once('drain', resolve))
  }
  gzip.end()
  await done
  return { blob: Buffer.concat(out), diffId: `sha256:${hash.digest('hex')}` }
}

/** Raw deflate of `size` zero bytes, streamed, with its CRC-32. */
async function deflateZeros(size: number): Promise<{ data: Buffer; crc: number }> {
  const deflate = zlib.createDeflateRaw({ level: 9 })
  const out: Buffer[] = []
  deflate.on('data', (chunk: Buffer) => out.push(chunk))
  const done = new Promise((resolve) => deflate.on('end', resolve))
  const zeros = Buffer.alloc(MiB)
  let crc = 0
  for (let left = size; left > 0; left -= MiB) {
    const piece = left >= MiB ? zeros : zeros.subarray(0, left)
    crc = zlib.crc32(piece, crc)
    if (!deflate.write(piece)) await new Promise((resolve) => deflate.once('drain', resolve))
  }
  deflate.end()
  await done
  return { data: Buffer.concat(out), crc }
}

function* fileEntry(path: string, content: Buffer, mode = 0o644): Generator<Buffer> {
  yield header(path, '0', content.length, mode)
  yield content
  yield padding(content.length)
}

const END = Buffer.alloc(BLOCK * 2)

interface Layer {
  blob: Buffer
  diffId: string
  mediaType: string
}

function writeLayout(dir: string, layers: Layer[]): void {
  mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true })
  const put = (bytes: Buffer): string => {
    const digest = sha256(bytes)
    writeFileSync(join(dir, 'blobs', 'sha256', digest.slice(7)), bytes)
    return digest
  }
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: {},
      rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
      history: layers.map(() => ({ created_by: 'hostile' }))
    })
  )
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: put(config),
        size: config.length
      },
      layers: layers.map((l) => ({
        mediaType: l.mediaType,
        digest: put(l.blob),
        size: l.blob.length
      }))
    })
  )
  const index = {
    schemaVersion: 2,
    manifests: [
      {
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        digest: put(manifest),
        size: manifest.length,
        platform: { architecture: 'amd64', os: 'linux' }
      }
    ]
  }
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }))
  writeFileSync(join(dir, 'index.json'), JSON.stringify(index))
  const sizes = layers.map((l) => `${(l.blob.length / MiB).toFixed(1)} MiB`).join(', ')
  console.log(`${dir}: layers ${sizes}`)
}

const GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip'

/** A package manager's record so the composition step has a package and needs OSV data. */
function* npmPackage(): Generator<Buffer> {
  yield* fileEntry(
    'usr/lib/node_modules/left-pad/package.json',
    Buffer.from('{"name":"left-pad","version":"1.3.0"}')
  )
}

async function rustDepBomb(dir: string): Promise<void> {
  // 3 GiB of zeros in zlib format: about 3 MB.
  const deflate = await deflateZeros(3 * 1024 * MiB)
  const section = Buffer.concat([Buffer.from([0x78, 0xda]), deflate.data, Buffer.alloc(4)])
  const elf = elfWithDepSection(section)
  const layer = await gzipPieces([...fileEntry('usr/bin/app', elf, 0o755), ...npmPackage(), END])
  writeLayout(dir, [{ ...layer, mediaType: GZIP }])
}

async function nestedJars(dir: string): Promise<void> {
  // Each level a jar holding jars; the innermost members are 1 GiB of zeros each.
  const zeros = await deflateZeros(1024 * MiB)
  const inner = zipOf(
    [0, 1].map((i) => ({ name: `lib/z${i}.jar`, ...zeros, method: 8 as const, size: 1024 * MiB }))
  )
  const middle = zipOf([0, 1].map((i) => deflatedMember(`lib/m${i}.jar`, inner)))
  const outer = zipOf([0, 1].map((i) => deflatedMember(`WEB-INF/lib/o${i}.jar`, middle)))
  const layer = await gzipPieces([...fileEntry('app/app.war', outer), ...npmPackage(), END])
  writeLayout(dir, [{ ...layer, mediaType: GZIP }])
}

function* longNames(): Generator<Buffer> {
  const name = Buffer.alloc(8_000_000, 'a')
  for (let i = 0; i < 200; i++) {
    yield header('././@LongLink', 'L', name.length + 1)
    yield name
    yield Buffer.from([0])
    yield padding(name.length + 1)
    yield header(`f${i}`, '0', 0)
  }
  yield* npmPackage()
  yield END
}

async function gnuLongNames(dir: string): Promise<void> {
  writeLayout(dir, [{ ...(await gzipPieces(longNames())), mediaType: GZIP }])
}

/** POSIX pax record: the decimal length counts the whole record, itself included. */
function paxRecord(key: string, value: string): string {
  const rest = Buffer.byteLength(key) + Buffer.byteLength(value) + 3
  let length = rest + String(rest).length
  if (String(length).length !== String(rest).length) length = rest + String(length).length
  return `${length} ${key}=${value}\n`
}

function* globalPax(): Generator<Buffer> {
  const records: string[] = []
  for (let i = 0; i < 200_000; i++) records.push(paxRecord(`comment.k${i}`, 'v'))
  const body = Buffer.from(records.join(''))
  yield header('pax_global_header', 'g', body.length)
  yield body
  yield padding(body.length)
  for (let i = 0; i < 20_000; i++) yield header(`f${i}`, '0', 0)
  yield* npmPackage()
  yield END
}

async function globalPaxKeys(dir: string): Promise<void> {
  writeLayout(dir, [{ ...(await gzipPieces(globalPax())), mediaType: GZIP }])
}

/** A zstd frame asking for a 1.875 GiB window (Window_Descriptor exponent 20, mantissa 7). */
async function zstdWindow(dir: string): Promise<void> {
  const tar = Buffer.concat([...npmPackage(), END])
  const blocks: Buffer[] = [Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, (20 << 3) | 7])]
  for (let at = 0; at < tar.length; at += 128 * 1024) {
    const piece = tar.subarray(at, at + 128 * 1024)
    const last = at + piece.length >= tar.length ? 1 : 0
    const value = (piece.length << 3) | last
    blocks.push(Buffer.from([value & 0xff, (value >> 8) & 0xff, (value >> 16) & 0xff]), piece)
  }
  writeLayout(dir, [
    {
      blob: Buffer.concat(blocks),
      diffId: sha256(tar),
      mediaType: 'application/vnd.oci.image.layer.v1.tar+zstd'
    }
  ])
}

// Inside the repository's .bench/ (ignored by git) unless a directory is given.
const out = process.argv[2] ?? '.bench/hostile'
const which = process.argv.slice(3)
const builders: Record<string, (dir: string) => Promise<void>> = {
  'rust-dep-bomb': rustDepBomb,
  'nested-jars': nestedJars,
  'gnu-long-names': gnuLongNames,
  'global-pax-keys': globalPaxKeys,
  'zstd-window': zstdWindow
}
for (const [name, build] of Object.entries(builders)) {
  if (which.length === 0 || which.includes(name)) await build(join(out, name))
}
