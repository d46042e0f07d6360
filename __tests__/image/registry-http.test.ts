import { afterEach, describe, expect, it } from '@jest/globals'
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  HttpError,
  isRetryable,
  parseRetryAfter,
  readBody,
  request,
  requestBytes
} from '../../src/image/http.js'

interface Seen {
  method: string
  path: string
  authorization?: string
}

interface TestServer {
  origin: string
  seen: Seen[]
}

const servers: http.Server[] = []

async function serve(
  handler: (req: http.IncomingMessage, res: http.ServerResponse, index: number) => void,
  host = '127.0.0.1'
): Promise<TestServer> {
  const seen: Seen[] = []
  const server = http.createServer((req, res) => {
    seen.push({
      method: req.method ?? '',
      path: req.url ?? '',
      ...(req.headers.authorization !== undefined
        ? { authorization: req.headers.authorization }
        : {})
    })
    handler(req, res, seen.length - 1)
  })
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, host, resolve))
  return { origin: `http://${host}:${(server.address() as AddressInfo).port}`, seen }
}

afterEach(async () => {
  await Promise.all(
    servers.splice(0).map(
      (server) =>
        new Promise<void>((resolve) => {
          server.closeAllConnections()
          server.close(() => resolve())
        })
    )
  )
})

const allowHttp = (): boolean => true
const fastRetry = { baseDelayMs: 10, maxDelayMs: 20 }

describe('request retries', () => {
  it('waits for Retry-After (seconds) after a 429 and then succeeds', async () => {
    const server = await serve((_req, res, index) => {
      if (index === 0) {
        res.writeHead(429, { 'retry-after': '1' })
        res.end()
        return
      }
      res.end('ok')
    })
    const started = Date.now()
    const response = await requestBytes(`${server.origin}/v2/`, { allowHttp, maxBytes: 100 })
    expect(Date.now() - started).toBeGreaterThanOrEqual(950)
    expect(response.status).toBe(200)
    expect(response.body.toString()).toBe('ok')
    expect(server.seen).toEqual([
      { method: 'GET', path: '/v2/' },
      { method: 'GET', path: '/v2/' }
    ])
  })

  it('retries a 503 with backoff and returns the next success', async () => {
    const server = await serve((_req, res, index) => {
      res.statusCode = index === 0 ? 503 : 200
      res.end(index === 0 ? 'busy' : 'ok')
    })
    const response = await requestBytes(`${server.origin}/x`, {
      allowHttp,
      retry: fastRetry,
      maxBytes: 100
    })
    expect(response.status).toBe(200)
    expect(server.seen).toHaveLength(2)
  })

  it('returns the last 5xx response when the attempts run out', async () => {
    const server = await serve((_req, res) => {
      res.statusCode = 502
      res.end()
    })
    const response = await requestBytes(`${server.origin}/x`, {
      allowHttp,
      retry: { ...fastRetry, attempts: 3 },
      maxBytes: 100
    })
    expect(response.status).toBe(502)
    expect(server.seen).toHaveLength(3)
  })

  it('retries a connection reset', async () => {
    const server = await serve((req, res, index) => {
      if (index === 0) {
        req.socket.destroy()
        return
      }
      res.end('ok')
    })
    const response = await requestBytes(`${server.origin}/x`, {
      allowHttp,
      retry: fastRetry,
      maxBytes: 100
    })
    expect(response.body.toString()).toBe('ok')
    expect(server.seen).toHaveLength(2)
  })

  it('does not retry a 404', async () => {
    const server = await serve((_req, res) => {
      res.statusCode = 404
      res.end()
    })
    const response = await requestBytes(`${server.origin}/x`, { allowHttp, maxBytes: 100 })
    expect(response.status).toBe(404)
    expect(server.seen).toHaveLength(1)
  })
})

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-01-01T00:00:00Z')
  it.each([
    ['3', 3000],
    ['0', 0],
    ['Thu, 01 Jan 2026 00:00:05 GMT', 5000],
    ['Wed, 31 Dec 2025 23:59:00 GMT', 0],
    ['soon', undefined],
    [undefined, undefined]
  ])('reads %j as %j ms', (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected)
  })
})

describe('stall timeout', () => {
  it('aborts a body that stops arriving', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': '100' })
      res.write('only part')
    })
    const response = await request(`${server.origin}/blob`, { allowHttp, stallTimeoutMs: 300 })
    const error = await readBody(response, 1000).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(HttpError)
    expect((error as HttpError).code).toBe('STALL')
    expect((error as HttpError).message).toBe(`${server.origin}/blob sent no data for 0.3 s`)
  })

  it('aborts, after its attempts, a server that never answers', async () => {
    const server = await serve(() => undefined)
    const error = await request(`${server.origin}/v2/`, {
      allowHttp,
      stallTimeoutMs: 200,
      retry: { ...fastRetry, attempts: 2 }
    }).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(HttpError)
    expect((error as HttpError).code).toBe('STALL')
    expect((error as HttpError).message).toBe(
      `${server.origin}/v2/ sent no response for 0.2 s (2 attempts)`
    )
    expect(server.seen).toHaveLength(2)
  })

  it('reports a connection lost mid-body as a retryable error naming the URL', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': '100' })
      res.write('only part')
      setTimeout(() => res.socket?.destroy(), 20)
    })
    const response = await request(`${server.origin}/blob`, { allowHttp })
    const error = await readBody(response, 1000).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(HttpError)
    expect((error as HttpError).code).toBe('ECONNRESET')
    expect(isRetryable(error)).toBe(true)
    expect((error as HttpError).message).toBe(
      `${server.origin}/blob closed the connection before the body was complete`
    )
  })

  it('does not count time the consumer takes as a stall', async () => {
    const chunk = Buffer.alloc(64 * 1024, 1)
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': String(chunk.length * 16) })
      for (let i = 0; i < 16; i++) res.write(chunk)
      res.end()
    })
    const response = await request(`${server.origin}/blob`, { allowHttp, stallTimeoutMs: 200 })
    let length = 0
    for await (const part of response.body as AsyncIterable<Buffer>) {
      length += part.length
      if (length === part.length) await new Promise((resolve) => setTimeout(resolve, 600))
    }
    expect(length).toBe(chunk.length * 16)
  })
})

describe('redirects', () => {
  it('drops Authorization when a redirect leaves the host, and keeps it on the same host', async () => {
    const storage = await serve((_req, res) => res.end('blob bytes'), '127.0.0.2')
    const registry = await serve((req, res) => {
      if (req.url === '/v2/app/blobs/sha256:1') {
        res.writeHead(307, { location: '/v2/app/blobs/sha256:1/moved' })
      } else {
        res.writeHead(307, { location: `${storage.origin}/bucket/blob?signature=abc` })
      }
      res.end()
    })
    const response = await requestBytes(`${registry.origin}/v2/app/blobs/sha256:1`, {
      headers: { authorization: 'Bearer secret' },
      allowHttp,
      maxBytes: 100
    })
    expect(response.body.toString()).toBe('blob bytes')
    expect(response.url.href).toBe(`${storage.origin}/bucket/blob?signature=abc`)
    expect(registry.seen).toEqual([
      { method: 'GET', path: '/v2/app/blobs/sha256:1', authorization: 'Bearer secret' },
      { method: 'GET', path: '/v2/app/blobs/sha256:1/moved', authorization: 'Bearer secret' }
    ])
    expect(storage.seen).toEqual([{ method: 'GET', path: '/bucket/blob?signature=abc' }])
  })

  it('turns a POST answered with 303 into a GET without body', async () => {
    const server = await serve((req, res) => {
      if (req.method === 'POST') res.writeHead(303, { location: '/done' })
      res.end(req.method)
    })
    const response = await requestBytes(`${server.origin}/form`, {
      method: 'POST',
      body: 'a=1',
      allowHttp,
      maxBytes: 100
    })
    expect(response.body.toString()).toBe('GET')
    expect(server.seen.map((seen) => `${seen.method} ${seen.path}`)).toEqual([
      'POST /form',
      'GET /done'
    ])
  })

  it('stops after too many redirects', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(302, { location: '/again' })
      res.end()
    })
    const error = await request(`${server.origin}/start`, { allowHttp, maxRedirects: 2 }).catch(
      (caught: unknown) => caught
    )
    expect((error as HttpError).code).toBe('TOO_MANY_REDIRECTS')
    expect(server.seen).toHaveLength(3)
  })
})

describe('safety limits', () => {
  it('refuses plain http unless the caller allows it', async () => {
    const server = await serve((_req, res) => res.end())
    const error = await request(`${server.origin}/v2/`).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(HttpError)
    expect((error as HttpError).code).toBe('INSECURE')
    expect(server.seen).toHaveLength(0)
  })

  it('refuses a body larger than the cap', async () => {
    const server = await serve((_req, res) => res.end('x'.repeat(2000)))
    const error = await requestBytes(`${server.origin}/big`, { allowHttp, maxBytes: 1000 }).catch(
      (caught: unknown) => caught
    )
    expect((error as HttpError).code).toBe('TOO_LARGE')
  })

  it('does not retry a refused connection', async () => {
    const server = await serve((_req, res) => res.end())
    const origin = server.origin
    await new Promise<void>((resolve) => servers.pop()!.close(() => resolve()))
    const error = await request(`${origin}/v2/`, { allowHttp }).catch((caught: unknown) => caught)
    expect((error as HttpError).code).toBe('ECONNREFUSED')
  })
})
