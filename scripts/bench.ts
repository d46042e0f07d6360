// `npm run bench`: gates a generated image of >= 1 GiB uncompressed in 6 gzip layers through the
// bundled CLI and reports wall time and peak RSS next to `gzip -dc` of the same layers (the
// decompression floor), measured in the same run. Numbers, not assertions: see the README.
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { debianRoot } from '../__fixtures__/debian-root.js'
import { buildImage, writeOciLayout, type FixtureEntry } from '../__fixtures__/image-builder.js'

const GENERATOR_VERSION = 'v1'
const dir = join('.bench', `image-${GENERATOR_VERSION}`)
const MiB = 1024 * 1024

/** Deterministic, moderately compressible bytes (like binaries and text in real layers). */
function content(seed: string, size: number): Buffer {
  const out = Buffer.alloc(size)
  let block = createHash('sha256').update(seed).digest()
  for (let offset = 0; offset < size; offset += 64) {
    block = createHash('sha256').update(block).digest()
    const text = Buffer.from(`${seed} ${offset} ${block.toString('hex', 0, 8)}\n`)
    // Half random, half text: compresses to roughly 60-70% like typical layer content.
    block.copy(out, offset, 0, Math.min(16, size - offset))
    text.copy(out, offset + 16, 0, Math.max(0, Math.min(48, size - offset - 16)))
  }
  return out
}

function layerEntries(layer: number, bytes: number): FixtureEntry[] {
  const entries: FixtureEntry[] = [{ path: `opt/layer${layer}/` }]
  let written = 0
  let i = 0
  while (written < bytes) {
    // Mostly small files, a few large ones, as in OS and language-package layers.
    const size = i % 500 === 0 ? 24 * MiB : 1024 + ((i * 7919) % 60_000)
    const name = `opt/layer${layer}/dir${i % 97}/file${i}.bin`
    if (i < 97) entries.push({ path: `opt/layer${layer}/dir${i}/` })
    entries.push({ path: name, content: content(name, size), mode: i % 11 === 0 ? 0o755 : 0o644 })
    written += size
    i++
  }
  if (layer === 0) {
    entries.push(
      { path: 'etc/' },
      {
        path: 'etc/passwd',
        content: 'root:x:0:0:root:/root:/sbin/nologin\napp:x:10001:10001::/app:/sbin/nologin\n'
      },
      { path: 'etc/group', content: 'root:x:0:\napp:x:10001:\n' }
    )
  }
  return entries
}

/**
 * Peak RSS is read with getrusage, whose maximum a child inherits from its parent at fork: the
 * image is generated in a child process so that this process stays small and the gate's own
 * peak is what gets reported.
 */
if (process.argv[2] === '--generate') {
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  const layers = [0, 1, 2, 3, 4, 5].map((layer) => ({
    entries: layerEntries(layer, 180 * MiB),
    compression: 'gzip' as const
  }))
  const image = buildImage({
    layers,
    config: { User: '10001:10001', Healthcheck: { Test: ['CMD', 'true'] } }
  })
  writeOciLayout(dir, [{ image, ref: 'bench' }])
  process.exit(0)
}

if (!existsSync(join(dir, 'index.json'))) {
  process.stdout.write(`generating the benchmark image in ${dir} (once) ...\n`)
  const generated = spawnSync(
    process.execPath,
    ['scripts/run-ts.mjs', 'scripts/bench.ts', '--generate'],
    {
      stdio: 'inherit'
    }
  )
  if (generated.status !== 0) throw new Error('generating the benchmark image failed')
}

const blobs = readdirSync(join(dir, 'blobs/sha256')).map((name) => join(dir, 'blobs/sha256', name))
const layerBlobs = blobs.filter((path) => statSync(path).size > MiB)
const compressed = layerBlobs.reduce((sum, path) => sum + statSync(path).size, 0)

interface Timed {
  seconds: number
  stdout: string
  stderr: string
  status: number | null
}

function timed(command: string, args: string[]): Timed {
  const started = process.hrtime.bigint()
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 * MiB })
  return {
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
    stdout: result.stdout,
    stderr: result.stderr,
    status: result.status
  }
}

const floor = timed('sh', [
  '-c',
  `for f in ${layerBlobs.join(' ')}; do gzip -dc "$f"; done | wc -c`
])
const uncompressed = Number(floor.stdout.trim())
// The gate reads two layers at once; this is the floor on both cores.
const floorParallel = timed('sh', [
  '-c',
  `printf '%s\\n' ${layerBlobs.join(' ')} | xargs -P 2 -n 1 sh -c 'gzip -dc "$0" > /dev/null'`
])

const runs = 3
const gateRuns = Array.from({ length: runs }, () =>
  timed(process.execPath, [
    '--import',
    './scripts/rss-on-exit.mjs',
    'dist/cli.js',
    'scan',
    `oci:${dir}:bench`,
    '--format',
    'json',
    '--output',
    '/dev/null'
  ])
)
for (const run of gateRuns) {
  if (run.status !== 0) throw new Error(`the gate exited ${run.status}: ${run.stderr}`)
}
const rss = gateRuns.map(
  (run) => Number(/bench:maxrss-kib=(\d+)/.exec(run.stderr)?.[1] ?? NaN) / 1024
)
const best = Math.min(...gateRuns.map((run) => run.seconds))

const table = [
  [
    'image',
    `${layerBlobs.length} gzip layers, ${(uncompressed / MiB).toFixed(0)} MiB uncompressed, ${(compressed / MiB).toFixed(0)} MiB compressed`
  ],
  ['gzip -dc of all layers (floor)', `${floor.seconds.toFixed(2)} s one after another`],
  ['gzip -dc, two layers at once', `${floorParallel.seconds.toFixed(2)} s`],
  [
    'container-gate scan, best of 3',
    `${best.toFixed(2)} s (${(best / floor.seconds).toFixed(2)}x the floor, ${(best / floorParallel.seconds).toFixed(2)}x two at once)`
  ],
  [
    'container-gate scan, all runs',
    gateRuns.map((run) => `${run.seconds.toFixed(2)} s`).join(', ')
  ],
  ['peak RSS of the gate', rss.map((mb) => `${mb.toFixed(0)} MB`).join(', ')],
  ['throughput', `${(uncompressed / MiB / best).toFixed(0)} MiB/s uncompressed`]
]
for (const [label, value] of table) process.stdout.write(`${label.padEnd(34)} ${value}\n`)

// A real Debian 12 root (mmdebstrap --variant=minbase, one gzip layer) through every step, with
// the demo's OSV data: what each step costs on an ordinary base image.
const debianDir = join('.bench', 'debian-v1')
if (!existsSync(join(debianDir, 'index.json'))) {
  const root = await debianRoot()
  if ('skip' in root) {
    process.stdout.write(`\nDebian root: ${root.skip}\n`)
    process.exit(0)
  }
  const layer = spawnSync('gzip', ['-c', root.tar], { maxBuffer: 1024 * MiB })
  const image = buildImage({
    layers: [{ entries: [], compression: 'none' }],
    config: { User: '10001:10001', Healthcheck: { Test: ['CMD', 'true'] } }
  })
  // Swap the empty layer for the real one: the builder describes blobs, the tar is mmdebstrap's.
  const blob = layer.stdout
  const digest = `sha256:${createHash('sha256').update(blob).digest('hex')}`
  const diffId = root.digest
  const config = { ...image.config, rootfs: { type: 'layers', diff_ids: [diffId] } }
  const configBytes = Buffer.from(JSON.stringify(config))
  const configDigest = `sha256:${createHash('sha256').update(configBytes).digest('hex')}`
  const manifest = {
    ...image.manifest,
    config: { ...image.manifest.config, digest: configDigest, size: configBytes.length },
    layers: [
      { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest, size: blob.length }
    ]
  }
  const manifestBytes = Buffer.from(JSON.stringify(manifest))
  const manifestDigest = `sha256:${createHash('sha256').update(manifestBytes).digest('hex')}`
  writeOciLayout(debianDir, [
    {
      image: {
        ...image,
        config,
        configBytes,
        configDigest,
        manifest,
        manifestBytes,
        manifestDigest,
        descriptor: { ...image.descriptor, digest: manifestDigest, size: manifestBytes.length },
        blobs: new Map([
          [configDigest, configBytes],
          [digest, blob],
          [manifestDigest, manifestBytes]
        ])
      },
      ref: 'debian'
    }
  ])
}
const reportFile = join(tmpdir(), 'container-gate-bench-debian-report.json')
const debianRun = timed(process.execPath, [
  '--import',
  './scripts/rss-on-exit.mjs',
  'dist/cli.js',
  'scan',
  `oci:${debianDir}:debian`,
  '--vuln-db',
  'demo/osv',
  '--report',
  reportFile,
  '--output',
  '/dev/null'
])
if (debianRun.status !== 0 && debianRun.status !== 1) {
  throw new Error(`the gate exited ${debianRun.status}: ${debianRun.stderr}`)
}
const debianReport = JSON.parse(readFileSync(reportFile, 'utf8')) as {
  steps: Array<{ id: string; durationMs: number; notes?: string[] }>
  findings: unknown[]
}
const debianRss = Number(/bench:maxrss-kib=(\d+)/.exec(debianRun.stderr)?.[1] ?? NaN) / 1024
const debianLayer = Math.max(
  ...readdirSync(join(debianDir, 'blobs/sha256')).map(
    (name) => statSync(join(debianDir, 'blobs/sha256', name)).size
  )
)
process.stdout.write(
  `\nDebian 12 minbase root (mmdebstrap), one ${(debianLayer / MiB).toFixed(0)} MiB gzip layer, every step:\n`
)
process.stdout.write(
  `${'whole gate'.padEnd(34)} ${debianRun.seconds.toFixed(2)} s, peak RSS ${debianRss.toFixed(0)} MB, ${debianReport.findings.length} findings\n`
)
for (const step of debianReport.steps) {
  process.stdout.write(
    `${`  ${step.id}`.padEnd(34)} ${step.durationMs} ms${step.notes?.length ? `  (${step.notes.join('; ')})` : ''}\n`
  )
}
