/**
 * PKCS#12 key stores (`.p12`/`.pfx`) are binary, so the text scan never sees them: the hardening
 * layer pass reads them whole by name and checks the DER header (RFC 7292: a SEQUENCE whose first
 * element is INTEGER 3). Stores are built by openssl at test time, never stored in the repo.
 */
import { describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { missingTools } from '../../../__fixtures__/registry.js'
import { tokenLike as random } from '../../../__fixtures__/tokens.js'
import type { TarEntry } from '../../../src/image/types.js'
import { BUILT_IN_RULES } from '../../../src/secrets/rules.js'
import { exampleFileReason, SecretScanner } from '../../../src/secrets/scanner.js'
import { hardeningSubscription } from '../../../src/steps/hardening/layer.js'

const scanner = new SecretScanner(BUILT_IN_RULES, { minEntropy: 3 })

interface Stores {
  withKey: Buffer
  certificatesOnly: Buffer
  certificate: Buffer
}

/** A PKCS#12 with a key and certificate, one with the certificate only, and the bare DER cert. */
function buildStores(): Stores {
  const dir = mkdtempSync(join(tmpdir(), 'hardening-p12-'))
  try {
    const openssl = (...args: string[]): void => {
      execFileSync(
        'openssl',
        [...args, ...(args[0] === 'req' ? ['-subj', '/CN=test', '-days', '1'] : [])],
        {
          stdio: 'ignore'
        }
      )
    }
    const key = join(dir, 'key.pem')
    const cert = join(dir, 'cert.pem')
    openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert)
    const pass = `pass:${random(12)}`
    openssl(
      'pkcs12',
      '-export',
      '-inkey',
      key,
      '-in',
      cert,
      '-out',
      join(dir, 'a.p12'),
      '-passout',
      pass
    )
    openssl(
      'pkcs12',
      '-export',
      '-nokeys',
      '-in',
      cert,
      '-out',
      join(dir, 'b.p12'),
      '-passout',
      pass
    )
    openssl('x509', '-in', cert, '-outform', 'DER', '-out', join(dir, 'cert.der'))
    return {
      withKey: readFileSync(join(dir, 'a.p12')),
      certificatesOnly: readFileSync(join(dir, 'b.p12')),
      certificate: readFileSync(join(dir, 'cert.der'))
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** Streams `content` through the hardening layer visitor as one file, in small chunks. */
function visitFile(path: string, content: Buffer): string[] {
  const visitor = hardeningSubscription(scanner, 10 * 1024 * 1024, 'built-in rules').createVisitor()
  const entry: TarEntry = { path, type: 'file', mode: 0o644, uid: 0, gid: 0, size: content.length }
  const sink = visitor.onEntry(entry)!
  for (let at = 0; at < content.length; at += 512) sink.write(content.subarray(at, at + 512))
  sink.end()
  return visitor
    .finish()
    .secretFiles.flatMap(({ path, secrets }) =>
      secrets.map((s) => `${s.rule} ${s.severity} ${path}: ${s.title}`)
    )
}

const tools = missingTools(['openssl'])
if (tools !== undefined) console.warn(`PKCS#12 tests ${tools}`)
const describeWithOpenssl = tools === undefined ? describe : describe.skip

describeWithOpenssl('PKCS#12 key stores in a layer', () => {
  const stores = tools === undefined ? buildStores() : undefined

  it('reports a .p12 holding a private key as high', () => {
    expect(visitFile('/app/certs/server.p12', stores!.withKey)).toEqual([
      'pkcs12-key-store high /app/certs/server.p12: PKCS#12 key store with a private key'
    ])
  })

  it('reports a .pfx whose key is not visible as medium', () => {
    expect(visitFile('/app/certs/TRUST.PFX', stores!.certificatesOnly)).toEqual([
      'pkcs12-key-store medium /app/certs/TRUST.PFX: PKCS#12 key store (its private key, if any, is encrypted)'
    ])
  })

  it('leaves a PKCS#12 file with another name alone (the JDK trust store is PKCS#12 named cacerts)', () => {
    expect(visitFile('/usr/lib/jvm/java/lib/security/cacerts', stores!.withKey)).toEqual([])
  })

  it('leaves a .p12 whose content is not PKCS#12 alone (a DER certificate)', () => {
    expect(visitFile('/app/certs/cert.p12', stores!.certificate)).toEqual([])
  })

  it('reports a key store under examples/ one severity lower, saying why', () => {
    expect(visitFile('/app/examples/demo.p12', stores!.withKey)).toEqual([
      'pkcs12-key-store medium /app/examples/demo.p12: PKCS#12 key store with a private key (in a file named like an example: it is under examples/, so one severity lower)'
    ])
  })

  it('gives the same store the same hash wherever it is', () => {
    const a = scanner.scanKeyStore(stores!.withKey, '/a.p12')
    const b = scanner.scanKeyStore(stores!.withKey, '/b/c.pfx')
    expect(a?.hash).toMatch(/^[0-9a-f]{12}$/)
    expect(a?.hash).toBe(b?.hash)
    expect(a?.redacted).toBe(`PKCS#12 (${stores!.withKey.length} bytes)`)
  })
})

describe('files named like an example', () => {
  it.each([
    ['/app/.env.example', 'its name ends in .example'],
    ['/app/config/parameters.yml.dist', 'its name ends in .dist'],
    ['/srv/settings.py.sample', 'its name ends in .sample'],
    ['/app/templates/values.tmpl', 'its name ends in .tmpl'],
    ['/app/config.example.json', 'its name says it is an example'],
    ['/app/example.env', 'its name says it is an example'],
    ['/app/examples/app.conf', 'it is under examples/'],
    ['/go/src/app/testdata/creds.json', 'it is under testdata/'],
    ['/app/spec/fixtures/config.yml', 'it is under fixtures/']
  ])('%s: %s', (path, reason) => {
    expect(exampleFileReason(path)).toBe(reason)
  })

  it.each([
    ['/app/.env'],
    ['/etc/app/app.conf'],
    ['/app/examplefile.conf'],
    ['/app/counterexample/x']
  ])('not %s', (path) => {
    expect(exampleFileReason(path)).toBeUndefined()
  })

  it('keeps the finding, one step lower, with the reason in its title', () => {
    const [match] = scanner.scan(`GITHUB_TOKEN=ghp_${random(36)}\n`, '/app/.env.example')
    expect(match).toMatchObject({
      rule: 'github-pat',
      severity: 'high',
      title:
        'GitHub personal access token (classic) (in a file named like an example: its name ends in .example, so one severity lower)'
    })
  })
})
