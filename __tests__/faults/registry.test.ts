/**
 * Fault injection against the registry pull: a stand-in registry on 127.0.0.1 (plain HTTP, as
 * loopback allows; a raw TCP server for TLS that never completes) that resets, stalls, trickles,
 * sends endless bodies, asks to wait a day or fails with 5xx. Timeouts are shortened through the
 * client's options; every server writes a bounded number of bytes and is closed after each test.
 */
import { afterEach, describe, expect, it } from '@jest/globals'
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import * as http from 'node:http'
import * as net from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { Readable } from 'node:stream'
import { buildImage } from '../../__fixtures__/image-builder.js'
import { ImageError } from '../../src/errors.js'
import { HttpError, request } from '../../src/image/http.js'
import { analyzeLayer } from '../../src/image/layer/analyze.js'
import type { TransferPolicy } from '../../src/image/registry/client.js'
import { registrySource } from '../../src/image/registry/source.js'
import type { AcquiredImage, AcquireOptions } from '../../src/image/source.js'

/** 64 KiB that do not compress: a layer big enough to break off in the middle of. */
function noise(length: number): Buffer {
  const out = Buffer.alloc(length)
  let block = createHash('sha256').update('seed').digest()
  for (let at = 0; at < length; at += block.length) {
    block.copy(out, at)
    block = createHash('sha256').update(block).digest()
  }
  return out
}

const image = buildImage({
  layers: [{ entries: [{ path: 'data.bin', content: noise(64 * 1024) }], compression: 'none' }],
  config: { User: '10001' }
})
const layer = image.layers[0]!
const SIZE = layer.blob.length

/** Short timeouts so that every fault ends in well under a second or two. */
const FAST: TransferPolicy = {
  stallTimeoutMs: 300,
  retry: { baseDelayMs: 10, maxDelayMs: 20 },
  blob: { minBytesPerSecond: 1 << 20, minDeadlineMs: 10_000, attempts: 3 }
}

interface LayerExchange {
  req: http.IncomingMessage
  res: http.ServerResponse
  /** 0-based count of requests for the layer blob. */
  index: number
  /** The first byte asked for (`Range: bytes=N-`), 0 without a range. */
  from: number
}

interface StandInOptions {
  /** Answers a layer request itself; the default serves it (honouring Range). */
  layer?: (exchange: LayerExchange) => void
  /** Answers a manifest request itself when it returns true. */
  manifest?: (res: http.ServerResponse, index: number) => boolean
  /** `WWW-Authenticate` for every request but the token's (forces the token flow). */
  challenge?: string
}

interface StandIn {
  host: string
  /** `Range` of each layer request ('' without one). */
  layerRanges: string[]
  manifestRequests: number
}

const closers: Array<() => Promise<void>> = []

afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()))
})

function listen(server: net.Server): Promise<number> {
  return new Promise((done) =>
    server.listen(0, '127.0.0.1', () => done((server.address() as net.AddressInfo).port))
  )
}

function closing(server: http.Server | net.Server, sockets: Set<net.Socket>): () => Promise<void> {
  return () =>
    new Promise<void>((done) => {
      for (const socket of sockets) socket.destroy()
      server.close(() => done())
    })
}

/** Serves `rest` (the blob from `from` on) as the status and headers a registry would use. */
function serveFrom(res: http.ServerResponse, from: number, ranged: boolean): Buffer {
  const rest = layer.blob.subarray(from)
  if (ranged && from > 0) {
    res.writeHead(206, {
      'content-range': `bytes ${from}-${SIZE - 1}/${SIZE}`,
      'content-length': String(rest.length)
    })
  } else {
    res.writeHead(200, { 'content-length': String(SIZE) })
  }
  return ranged || from === 0 ? rest : layer.blob
}

async function standIn(options: StandInOptions = {}): Promise<StandIn> {
  const sockets = new Set<net.Socket>()
  const state = { layerRanges: [] as string[], manifestRequests: 0 }
  const server = http.createServer((req, res) => {
    const url = req.url ?? ''
    if (options.challenge !== undefined) {
      res.writeHead(401, { 'www-authenticate': options.challenge })
      res.end()
      return
    }
    if (url === '/v2/') {
      res.end('{}')
      return
    }
    if (url.includes('/manifests/')) {
      const index = state.manifestRequests++
      if (options.manifest?.(res, index) === true) return
      res.writeHead(200, { 'content-type': image.manifest.mediaType! })
      res.end(image.manifestBytes)
      return
    }
    const digest = url.split('/blobs/')[1] ?? ''
    const blob = image.blobs.get(digest)
    if (blob === undefined) {
      res.writeHead(404)
      res.end()
      return
    }
    if (digest !== layer.digest) {
      res.end(blob)
      return
    }
    const range = req.headers.range ?? ''
    state.layerRanges.push(range)
    const from = Number(/^bytes=(\d+)-$/.exec(range)?.[1] ?? 0)
    const exchange = { req, res, index: state.layerRanges.length - 1, from }
    if (options.layer !== undefined) options.layer(exchange)
    else res.end(serveFrom(res, from, true))
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  const port = await listen(server)
  closers.push(closing(server, sockets))
  return {
    host: `127.0.0.1:${port}`,
    get layerRanges() {
      return state.layerRanges
    },
    get manifestRequests() {
      return state.manifestRequests
    }
  }
}

/** A TCP server that accepts connections and never says a word: a TLS handshake that never ends. */
async function silentTcp(): Promise<{ port: number; connections: () => number }> {
  const sockets = new Set<net.Socket>()
  let connections = 0
  const server = net.createServer((socket) => {
    connections++
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  const port = await listen(server)
  closers.push(closing(server, sockets))
  return { port, connections: () => connections }
}

/** Writes `length` bytes of the blob from `from`, then leaves the connection to `then`. */
function partial(exchange: LayerExchange, length: number, then: 'reset' | 'hold'): void {
  const { res, from } = exchange
  res.writeHead(from > 0 ? 206 : 200, {
    'content-length': String(SIZE - from),
    ...(from > 0 ? { 'content-range': `bytes ${from}-${SIZE - 1}/${SIZE}` } : {})
  })
  res.write(layer.blob.subarray(from, from + length))
  if (then === 'reset') setTimeout(() => res.socket?.destroy(), 20)
}

function acquireOptions(logger: AcquireOptions['logger'] = silent): AcquireOptions {
  return {
    platform: { os: 'linux', architecture: 'amd64' },
    insecureRegistries: [],
    env: { PATH: process.env.PATH, HOME: '/nonexistent' },
    logger,
    analyzeLayer: (blob: Readable, options) =>
      analyzeLayer(blob, { ...options, requests: [], subscriptions: [] })
  }
}

const silent: AcquireOptions['logger'] = {
  debug: () => undefined,
  info: () => undefined,
  warning: () => undefined,
  error: () => undefined,
  group: (_name, fn) => fn()
}

function pull(registry: StandIn, transfer: TransferPolicy = FAST): Promise<AcquiredImage> {
  return registrySource(`${registry.host}/app:1`, transfer).acquire(acquireOptions())
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise
  } catch (error) {
    return error as Error
  }
  throw new Error('expected a rejection')
}

function blobName(registry: StandIn): string {
  return `blob ${layer.digest} of ${registry.host}/app:1 from registry ${registry.host}`
}

function expectPulled(acquired: AcquiredImage): void {
  expect(acquired.layers.map(({ analysis }) => [analysis.digest, analysis.diffId])).toEqual([
    [layer.digest, layer.diffId]
  ])
}

describe('a layer whose connection is lost midway', () => {
  it('is resumed with a Range request and verified whole', async () => {
    const registry = await standIn({
      layer: (exchange) => {
        if (exchange.index === 0) partial(exchange, 20_000, 'reset')
        else exchange.res.end(serveFrom(exchange.res, exchange.from, true))
      }
    })
    expectPulled(await pull(registry))
    expect(registry.layerRanges).toEqual(['', 'bytes=20000-'])
  })

  it('is downloaded again, skipping what was read, from a registry that ignores Range', async () => {
    const registry = await standIn({
      layer: (exchange) => {
        if (exchange.index === 0) partial(exchange, 20_000, 'reset')
        else exchange.res.end(serveFrom(exchange.res, exchange.from, false))
      }
    })
    expectPulled(await pull(registry))
    expect(registry.layerRanges).toEqual(['', 'bytes=20000-'])
  })

  it('fails naming the blob and how much arrived when every download breaks off', async () => {
    const registry = await standIn({ layer: (exchange) => partial(exchange, 1000, 'reset') })
    const error = await failure(pull(registry))
    expect(error).toBeInstanceOf(ImageError)
    expect(error.message).toBe(
      `${blobName(registry)} could not be downloaded: the connection was lost after 3000 of ${SIZE} bytes (3 downloads); try again later or check the registry.`
    )
    expect(registry.layerRanges).toEqual(['', 'bytes=1000-', 'bytes=2000-'])
  })
})

describe('a layer that stalls midway', () => {
  it('is resumed after the stall timeout and verified whole', async () => {
    const registry = await standIn({
      layer: (exchange) => {
        if (exchange.index === 0) partial(exchange, 30_000, 'hold')
        else exchange.res.end(serveFrom(exchange.res, exchange.from, true))
      }
    })
    expectPulled(await pull(registry))
    expect(registry.layerRanges).toEqual(['', 'bytes=30000-'])
  })

  it('fails naming the blob when every download stalls', async () => {
    const registry = await standIn({ layer: (exchange) => partial(exchange, 1000, 'hold') })
    const error = await failure(pull(registry))
    expect(error.message).toBe(
      `${blobName(registry)} could not be downloaded: no data arrived for 0.3 s after 3000 of ${SIZE} bytes (3 downloads); try again later or check the registry.`
    )
  })
})

describe('a layer trickled a byte at a time', () => {
  it('fails once the blob has had the network time its size allows', async () => {
    const registry = await standIn({
      layer: ({ res }) => {
        res.writeHead(200, { 'content-length': String(SIZE) })
        let at = 0
        const timer = setInterval(() => {
          // Bounded: a few hundred bytes at most before the client gives up.
          if (at >= 1000) clearInterval(timer)
          else res.write(layer.blob.subarray(at, ++at))
        }, 10)
        res.on('close', () => clearInterval(timer))
      }
    })
    const error = await failure(
      pull(registry, { ...FAST, blob: { minBytesPerSecond: 1 << 20, minDeadlineMs: 500 } })
    )
    expect(error).toBeInstanceOf(ImageError)
    expect((error as ImageError).code).toBe('BLOB_TOO_SLOW')
    const name = blobName(registry).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    expect(error.message).toMatch(
      new RegExp(
        `^${name} arrived too slowly: \\d+ of ${SIZE} bytes in 1 s, below the 1\\.0 MiB/s the gate waits for; check the network or the registry\\.$`
      )
    )
    expect(registry.layerRanges).toEqual([''])
  })
})

describe('a layer with an endless body', () => {
  it('is stopped past its declared size, not read to the end', async () => {
    let written = 0
    let finished = false
    const cap = 32 << 20
    const registry = await standIn({
      layer: ({ res }) => {
        // No Content-Length: the body's end is the server's to choose, and it never chooses.
        res.writeHead(200)
        res.write(layer.blob)
        const filler = Buffer.alloc(64 * 1024)
        const more = (): void => {
          while (!res.destroyed && written < cap) {
            written += filler.length
            if (!res.write(filler)) return void res.once('drain', more)
          }
          finished = written >= cap
          res.end()
        }
        more()
      }
    })
    const error = await failure(pull(registry))
    expect(error).toBeInstanceOf(ImageError)
    expect(error.message).toBe(
      `${blobName(registry)} is longer than the ${SIZE} bytes its manifest declares, so the download was stopped; the registry is serving other bytes under this digest.`
    )
    expect(finished).toBe(false)
  })

  it('is refused before reading when its Content-Length is over the declared size', async () => {
    const registry = await standIn({
      layer: ({ res }) => {
        res.writeHead(200, { 'content-length': String(SIZE + 1) })
        res.end(Buffer.concat([layer.blob, Buffer.from('x')]))
      }
    })
    const error = await failure(pull(registry))
    expect((error as ImageError).code).toBe('BLOB_TOO_LARGE')
  })
})

describe('a registry that asks to wait', () => {
  it('fails at once, saying how long it asked for, when Retry-After is longer than the gate waits', async () => {
    const registry = await standIn({
      manifest: (res) => {
        res.writeHead(429, { 'retry-after': '86400' })
        res.end()
        return true
      }
    })
    const error = await failure(pull(registry))
    expect(error).toBeInstanceOf(ImageError)
    expect(error.message).toBe(
      `registry ${registry.host} could not be read: http://${registry.host}/v2/app/manifests/1 answered 429 and asked to wait 86400 s before trying again, longer than the 60 s the gate still waits for this request.`
    )
    expect(registry.manifestRequests).toBe(1)
  })

  it('stops waiting once the time allowed for one request is spent', async () => {
    const registry = await standIn({
      manifest: (res) => {
        res.writeHead(429, { 'retry-after': '1' })
        res.end()
        return true
      }
    })
    const error = await failure(
      pull(registry, { ...FAST, retry: { ...FAST.retry, maxTotalWaitMs: 1500 } })
    )
    expect(error.message).toBe(
      `registry ${registry.host} could not be read: http://${registry.host}/v2/app/manifests/1 answered 429 and asked to wait 1 s before trying again, longer than the 0.5 s the gate still waits for this request.`
    )
    expect(registry.manifestRequests).toBe(2)
  })
})

describe('the whole-scan deadline', () => {
  it('ends a wait for Retry-After at once, with its own error', async () => {
    const registry = await standIn({
      manifest: (res) => {
        res.writeHead(429, { 'retry-after': '30' })
        res.end()
        return true
      }
    })
    const deadline = new AbortController()
    const reason = new ImageError('the scan passed its deadline.', 'DEADLINE')
    setTimeout(() => deadline.abort(reason), 100)
    const error = await failure(
      registrySource(`${registry.host}/app:1`, FAST).acquire({
        ...acquireOptions(),
        signal: deadline.signal
      })
    )
    expect(error).toBe(reason)
    expect(registry.manifestRequests).toBe(1)
  })

  it('ends a layer download that is waiting for data', async () => {
    const registry = await standIn({ layer: (exchange) => partial(exchange, 1000, 'hold') })
    const deadline = new AbortController()
    const reason = new ImageError('the scan passed its deadline.', 'DEADLINE')
    setTimeout(() => deadline.abort(reason), 100)
    const error = await failure(
      registrySource(`${registry.host}/app:1`, { ...FAST, stallTimeoutMs: 30_000 }).acquire({
        ...acquireOptions(),
        signal: deadline.signal
      })
    )
    expect(error).toBe(reason)
    expect(registry.layerRanges).toEqual([''])
  })
})

describe('a registry that fails with 5xx for a while', () => {
  it('is retried until it answers', async () => {
    const registry = await standIn({
      manifest: (res, index) => {
        if (index >= 2) return false
        res.writeHead(503)
        res.end()
        return true
      },
      layer: ({ res, index, from }) => {
        if (index === 0) {
          res.writeHead(502)
          res.end()
        } else {
          res.end(serveFrom(res, from, true))
        }
      }
    })
    expectPulled(await pull(registry))
    expect(registry.manifestRequests).toBe(3)
    expect(registry.layerRanges).toEqual(['', ''])
  })
})

describe('a TLS endpoint that never completes the handshake', () => {
  it('fails each attempt after the timeout and says the handshake did not complete', async () => {
    const tls = await silentTcp()
    const error = await failure(
      request(`https://127.0.0.1:${tls.port}/v2/`, {
        stallTimeoutMs: 300,
        retry: { baseDelayMs: 10, maxDelayMs: 20, attempts: 2 }
      })
    )
    expect(error).toBeInstanceOf(HttpError)
    expect((error as HttpError).code).toBe('ETIMEDOUT')
    expect(error.message).toBe(
      `TLS handshake with 127.0.0.1:${tls.port} did not complete in 0.3 s (2 attempts)`
    )
    expect(tls.connections()).toBe(2)
  })

  it('names the token service a registry sends us to when that is the endpoint', async () => {
    const tls = await silentTcp()
    const registry = await standIn({
      challenge: `Bearer realm="https://127.0.0.1:${tls.port}/token",service="stand-in"`
    })
    const error = await failure(pull(registry))
    expect(error.message).toBe(
      `registry ${registry.host} (token service 127.0.0.1:${tls.port}) is unreachable: TLS handshake with 127.0.0.1:${tls.port} did not complete in 0.3 s (4 attempts); check the image reference and the network.`
    )
    expect(tls.connections()).toBe(4)
  })
})

describe('after a failure', () => {
  const root = resolve(import.meta.dirname, '../..')

  /** Runs a script in a child node; resolves with its exit code and output once it exits by itself. */
  function runChild(
    script: string
  ): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const dir = mkdtempSync(join(tmpdir(), 'registry-faults-'))
    const file = join(dir, 'child.ts')
    writeFileSync(file, script)
    return new Promise((done, fail) => {
      const child = spawn(process.execPath, ['scripts/run-ts.mjs', file], {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe']
      })
      let stdout = ''
      let stderr = ''
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
      // A handle left open keeps the child alive: kill it and fail rather than hang the suite.
      const timer = setTimeout(() => {
        child.kill('SIGKILL')
        fail(new Error(`the child did not exit by itself; it printed:\n${stdout}${stderr}`))
      }, 30_000)
      child.on('exit', (code) => {
        clearTimeout(timer)
        rmSync(dir, { recursive: true, force: true })
        done({ code, stdout, stderr })
      })
    })
  }

  it('leaves no socket or timer that keeps the process alive', async () => {
    const tls = await silentTcp()
    const stalling = await standIn({ layer: (exchange) => partial(exchange, 1000, 'hold') })
    const unread = await standIn({
      // A body the caller never reads: the server keeps its connection open and waits.
      layer: ({ res }) => {
        res.writeHead(200, { 'content-length': String(SIZE * 64) })
        for (let i = 0; i < 64; i++) res.write(layer.blob)
      }
    })
    const script = `
import { request } from ${JSON.stringify(join(root, 'src/image/http.ts'))}
import { registrySource } from ${JSON.stringify(join(root, 'src/image/registry/source.ts'))}
import { analyzeLayer } from ${JSON.stringify(join(root, 'src/image/layer/analyze.ts'))}
const fast = { stallTimeoutMs: 300, retry: { baseDelayMs: 10, maxDelayMs: 20, attempts: 2 } }
const silent = { debug() {}, info() {}, warning() {}, error() {}, group: (_n, fn) => fn() }
const options = {
  platform: { os: 'linux', architecture: 'amd64' },
  insecureRegistries: [],
  env: { HOME: '/nonexistent' },
  logger: silent,
  analyzeLayer: (blob, layer) => analyzeLayer(blob, { ...layer, requests: [], subscriptions: [] })
}
await request('https://127.0.0.1:${tls.port}/v2/', fast).catch((e) => console.log('tls:', e.code))
await registrySource('${stalling.host}/app:1', { ...fast, blob: { attempts: 2 } })
  .acquire(options)
  .catch((e) => console.log('stall:', e.code))
const response = await request('http://${unread.host}/v2/app/blobs/${layer.digest}', {
  ...fast,
  allowHttp: () => true
})
console.log('unread:', response.status)
`
    const result = await runChild(script)
    expect(result.stdout).toBe('tls: ETIMEDOUT\nstall: REGISTRY_UNREACHABLE\nunread: 200\n')
    expect(result.code).toBe(0)
  })
})
