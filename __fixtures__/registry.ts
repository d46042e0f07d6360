/**
 * A real registry for tests: Debian's `docker-registry` (distribution 2.x) on 127.0.0.1, with
 * optional htpasswd or token auth, a small token issuer that signs ES256 JWTs (distribution
 * `docs/spec/auth/jwt.md`), and `skopeo` to push images built by the fixture builder.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { createHash, generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto'
import { accessSync, constants as fsConstants, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import * as http from 'node:http'
import { createServer, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

const INSTALL_HINT: Record<string, string> = {
  'docker-registry': 'apt-get install -y docker-registry skopeo',
  skopeo: 'apt-get install -y docker-registry skopeo',
  openssl: 'apt-get install -y openssl',
  htpasswd: 'apt-get install -y apache2-utils'
}

function onPath(program: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, program), fsConstants.X_OK)
      return true
    } catch {
      return false
    }
  })
}

/** Why registry tests cannot run here (naming the tool and how to install it), or undefined. */
export function missingTools(tools: string[]): string | undefined {
  const missing = tools.filter((tool) => !onPath(tool))
  if (missing.length === 0) return undefined
  const hints = [...new Set(missing.map((tool) => INSTALL_HINT[tool] ?? `install ${tool}`))]
  return `skipped: ${missing.join(', ')} not on PATH (${hints.join('; ')})`
}

export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `container-gate-${prefix}-`))
}

export type RegistryAuth =
  | { htpasswd: { username: string; password: string } }
  | { token: { realm: string; service: string; issuer: string; rootCertBundle: string } }

export interface TestRegistry {
  /** `127.0.0.1:PORT` */
  host: string
  /** The storage root: `docker/registry/v2/blobs/sha256/xx/<hex>/data` lives below it. */
  storage: string
  stop(): Promise<void>
}

function getStatus(url: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const request = http.get(url, (response) => {
      response.resume()
      resolve(response.statusCode)
    })
    request.setTimeout(1000, () => request.destroy())
    request.on('error', () => resolve(undefined))
  })
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    child.once('exit', () => resolve())
    child.kill('SIGTERM')
  })
}

/** Starts `docker-registry serve` on a free port and waits until `/v2/` answers. */
export async function startRegistry(auth?: RegistryAuth): Promise<TestRegistry> {
  const dir = tempDir('registry')
  const storage = join(dir, 'storage')
  const port = await freePort()
  const lines = [
    'version: 0.1',
    'log:',
    '  level: error',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${storage}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: 127.0.0.1:${port}`
  ]
  if (auth !== undefined && 'htpasswd' in auth) {
    const { stdout } = await run('htpasswd', [
      '-Bbn',
      auth.htpasswd.username,
      auth.htpasswd.password
    ])
    writeFileSync(join(dir, 'htpasswd'), stdout.trim() + '\n')
    lines.push('auth:', '  htpasswd:', '    realm: test', `    path: ${join(dir, 'htpasswd')}`)
  } else if (auth !== undefined) {
    const { realm, service, issuer, rootCertBundle } = auth.token
    lines.push(
      'auth:',
      '  token:',
      `    realm: ${realm}`,
      `    service: ${service}`,
      `    issuer: ${issuer}`,
      `    rootcertbundle: ${rootCertBundle}`
    )
  }
  writeFileSync(join(dir, 'config.yml'), lines.join('\n') + '\n')
  const child = spawn('docker-registry', ['serve', join(dir, 'config.yml')], {
    stdio: ['ignore', 'ignore', 'pipe']
  })
  let stderr = ''
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const host = `127.0.0.1:${port}`
  const deadline = Date.now() + 15_000
  while ((await getStatus(`http://${host}/v2/`)) === undefined) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stopProcess(child)
      throw new Error(`docker-registry did not start on ${host}: ${stderr}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return {
    host,
    storage,
    stop: async () => {
      await stopProcess(child)
      rmSync(dir, { recursive: true, force: true })
    }
  }
}

/** Where the filesystem driver keeps a blob's bytes (distribution `storage/paths.go`). */
export function blobDataPath(storage: string, digest: string): string {
  const hex = digest.slice('sha256:'.length)
  return join(storage, 'docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex, 'data')
}

export interface TokenRequest {
  method: string
  service: string | null
  scopes: string[]
  /** The user of a Basic Authorization header, when one was sent. */
  user?: string
  grantType?: string
}

export interface TokenIssuer {
  realm: string
  service: string
  issuer: string
  /** Self-signed certificate of the signing key, for the registry's `rootcertbundle`. */
  certificate: string
  requests: TokenRequest[]
  stop(): Promise<void>
}

export interface TokenIssuerOptions {
  username: string
  password: string
  /** An OAuth2 refresh token accepted by `POST` (what `docker login` stores as `identitytoken`). */
  identityToken?: string
}

function base64url(value: Buffer | string): string {
  return Buffer.from(value).toString('base64url')
}

/** libtrust's key ID: SHA-256 of the DER public key, 240 bits, base32 in colon-separated groups of 4. */
function libtrustKeyId(publicKey: KeyObject): string {
  const hash = createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest()
    .subarray(0, 30)
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
  let bits = ''
  for (const byte of hash) bits += byte.toString(2).padStart(8, '0')
  let encoded = ''
  for (let i = 0; i < bits.length; i += 5) encoded += alphabet[parseInt(bits.slice(i, i + 5), 2)]
  return encoded.match(/.{4}/g)!.join(':')
}

function grantedAccess(scopes: string[]): Array<{ type: string; name: string; actions: string[] }> {
  return scopes.flatMap((scope) => {
    const [type, name, actions] = scope.split(':')
    return type && name && actions ? [{ type, name, actions: actions.split(',') }] : []
  })
}

/**
 * A token issuer for `auth: token` (distribution `docs/spec/auth/token.md`): GET with Basic
 * credentials or POST with a refresh token; anonymous requests get a token without access.
 */
export async function startTokenIssuer(options: TokenIssuerOptions): Promise<TokenIssuer> {
  const dir = tempDir('token-issuer')
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const keyPath = join(dir, 'key.pem')
  const certificate = join(dir, 'cert.pem')
  writeFileSync(keyPath, privateKey.export({ type: 'pkcs8', format: 'pem' }))
  await run('openssl', [
    'req',
    '-x509',
    '-new',
    '-key',
    keyPath,
    '-subj',
    '/CN=container-gate test token issuer',
    '-days',
    '2',
    '-out',
    certificate
  ])
  const service = 'container-gate-test'
  const issuer = 'container-gate-test-issuer'
  const kid = libtrustKeyId(publicKey)
  const requests: TokenRequest[] = []

  const token = (subject: string, scopes: string[]): string => {
    const now = Math.floor(Date.now() / 1000)
    const head = base64url(JSON.stringify({ typ: 'JWT', alg: 'ES256', kid }))
    const claims = base64url(
      JSON.stringify({
        iss: issuer,
        sub: subject,
        aud: service,
        exp: now + 300,
        nbf: now - 10,
        iat: now,
        jti: randomUUID(),
        access: grantedAccess(scopes)
      })
    )
    // JWS ES256 (RFC 7518 §3.4): the signature is R || S, not DER.
    const signature = sign('sha256', Buffer.from(`${head}.${claims}`), {
      key: privateKey,
      dsaEncoding: 'ieee-p1363'
    })
    return `${head}.${claims}.${base64url(signature)}`
  }

  const server = http.createServer((req, res) => {
    let body = ''
    req.setEncoding('utf8')
    req.on('data', (chunk: string) => (body += chunk))
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://localhost')
      const answer = (status: number, value: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/json' })
        res.end(JSON.stringify(value))
      }
      if (req.method === 'POST') {
        const form = new URLSearchParams(body)
        requests.push({
          method: 'POST',
          service: form.get('service'),
          scopes: form.getAll('scope').flatMap((s) => s.split(' ')),
          grantType: form.get('grant_type') ?? ''
        })
        if (
          form.get('grant_type') !== 'refresh_token' ||
          options.identityToken === undefined ||
          form.get('refresh_token') !== options.identityToken
        ) {
          answer(401, { error: 'invalid_grant' })
          return
        }
        answer(200, {
          access_token: token(options.username, form.getAll('scope')),
          expires_in: 300
        })
        return
      }
      const scopes = url.searchParams.getAll('scope')
      const authorization = req.headers.authorization
      const entry: TokenRequest = {
        method: 'GET',
        service: url.searchParams.get('service'),
        scopes
      }
      requests.push(entry)
      if (authorization === undefined) {
        answer(200, { token: token('', []), expires_in: 300 })
        return
      }
      const decoded = Buffer.from(authorization.replace(/^Basic /, ''), 'base64').toString()
      const colon = decoded.indexOf(':')
      entry.user = decoded.slice(0, colon)
      if (entry.user !== options.username || decoded.slice(colon + 1) !== options.password) {
        answer(401, { errors: [{ code: 'UNAUTHORIZED' }] })
        return
      }
      answer(200, { token: token(options.username, scopes), expires_in: 300 })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    realm: `http://127.0.0.1:${port}/token`,
    service,
    issuer,
    certificate,
    requests,
    stop: async () => {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      rmSync(dir, { recursive: true, force: true })
    }
  }
}

export interface PushOptions {
  /** `user:password` for the destination. */
  credentials?: string
  /** Copy an image index with all its images (`skopeo copy --multi-arch all`). */
  multiArch?: boolean
}

/** Pushes `oci:LAYOUT:REF` to `docker://DESTINATION` with skopeo, an independent client. */
export async function pushWithSkopeo(
  layout: string,
  ref: string,
  destination: string,
  options: PushOptions = {}
): Promise<void> {
  const args = ['copy', '--quiet', '--dest-tls-verify=false']
  if (options.credentials !== undefined) args.push('--dest-creds', options.credentials)
  if (options.multiArch === true) args.push('--multi-arch', 'all')
  // Keep the layers and manifests byte-for-byte as built, so digests stay predictable.
  args.push('--preserve-digests', `oci:${layout}:${ref}`, `docker://${destination}`)
  await run('skopeo', args, { env: { ...process.env, HOME: layout } })
}
