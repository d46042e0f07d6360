/**
 * A local HTTP server standing in for the GitHub REST API: it records every request and answers
 * from a handler, so tests assert the exact requests a real Octokit sends.
 */
import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface ApiRequest {
  method: string
  /** Path and query, e.g. `/repos/acme/app/issues/7/comments?per_page=100`. */
  path: string
  authorization?: string
  body?: unknown
}

export interface ApiResponse {
  status: number
  body?: unknown
  headers?: Record<string, string>
}

export interface FakeApi {
  url: string
  requests: ApiRequest[]
  close(): Promise<void>
}

async function readBody(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = []
  for await (const chunk of request) chunks.push(chunk as Buffer)
  const text = Buffer.concat(chunks).toString('utf8')
  return text === '' ? undefined : (JSON.parse(text) as unknown)
}

export async function startApi(
  handler: (request: ApiRequest, url: string) => ApiResponse
): Promise<FakeApi> {
  const requests: ApiRequest[] = []
  let url = ''
  const server = createServer((request, response) => {
    void readBody(request).then((body) => {
      const recorded: ApiRequest = {
        method: request.method ?? 'GET',
        path: request.url ?? '/',
        ...(request.headers.authorization === undefined
          ? {}
          : { authorization: request.headers.authorization }),
        ...(body === undefined ? {} : { body })
      }
      requests.push(recorded)
      const answer = handler(recorded, url)
      response.writeHead(answer.status, {
        'content-type': 'application/json; charset=utf-8',
        ...answer.headers
      })
      response.end(answer.body === undefined ? '' : JSON.stringify(answer.body))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    url,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve()))
  }
}
