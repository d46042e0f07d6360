/**
 * The demo image (demo/sample-image.tar, built by `npm run demo:build`) as an image spec, for the
 * demo build and for tests that need an image with findings of every method.
 */
import { createHash, createPrivateKey } from 'node:crypto'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import type { FixtureEntry, ImageSpec } from './image-builder.js'

const root = 'demo/layers'

/**
 * A deploy key that a build step copied in and a later step deleted: still in the image for
 * anyone who pulls it. Derived from a fixed seed (RFC 8410 PKCS#8 for Ed25519), so the demo
 * rebuilds byte-identically and no key is stored in the repository.
 */
function demoDeployKey(): string {
  const seed = createHash('sha256').update('container-gate demo deploy key').digest()
  const pkcs8 = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed])
  return createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' })
    .export({ format: 'pem', type: 'pkcs8' })
    .toString()
}

/** A token passed as a build argument: `docker history` shows it to everyone. */
const buildArgToken = `npm_${createHash('sha256').update('container-gate demo npm token').digest('base64url').replace(/[-_]/g, 'x').slice(0, 36)}`

/** Modes, owners and links git cannot record, by path inside the image. */
const overrides: Record<string, Partial<FixtureEntry>> = {
  'etc/shadow': { mode: 0o640, gid: 42 },
  'usr/local/bin/netdiag': { mode: 0o4755 },
  'srv/app/server.js': { uid: 10001, gid: 10001 },
  'srv/app/package.json': { uid: 10001, gid: 10001 }
}

function layerEntries(dir: string): FixtureEntry[] {
  const entries: FixtureEntry[] = []
  const walk = (path: string): void => {
    for (const name of readdirSync(path).sort()) {
      const full = join(path, name)
      const inImage = relative(dir, full)
      if (statSync(full).isDirectory()) {
        entries.push({ path: `${inImage}/` })
        walk(full)
      } else {
        const executable = (statSync(full).mode & 0o111) !== 0
        entries.push({
          path: inImage,
          content: readFileSync(full),
          mode: executable ? 0o755 : 0o644,
          ...overrides[inImage]
        })
      }
    }
  }
  walk(dir)
  return entries
}

/** The demo image: three layers from demo/layers/ with findings of every method. */
export function demoImageSpec(): ImageSpec {
  return {
    layers: [
      {
        entries: [
          ...layerEntries(join(root, 'base')),
          { path: 'bin/' },
          { path: 'bin/busybox', content: '#!/bin/sh\necho busybox stand-in\n', mode: 0o755 },
          { path: 'bin/su', type: 'symlink', linkTarget: 'busybox' },
          { path: 'bin/sh', type: 'symlink', linkTarget: 'busybox' },
          { path: 'tmp/', mode: 0o1777 }
        ],
        createdBy: 'ADD rootfs.tar /'
      },
      {
        entries: [
          ...layerEntries(join(root, 'tools')),
          { path: 'root/', mode: 0o700 },
          { path: 'root/.ssh/', mode: 0o700 },
          { path: 'root/.ssh/deploy_key', content: demoDeployKey(), mode: 0o600 }
        ],
        compression: 'zstd',
        createdBy: 'COPY tools/ / # buildkit'
      },
      {
        entries: [...layerEntries(join(root, 'app')), { path: 'root/.ssh/.wh.deploy_key' }],
        createdBy: `RUN |1 NPM_TOKEN=${buildArgToken} /bin/sh -c cd /srv/app && npm ci && rm /root/.ssh/deploy_key # buildkit`
      }
    ],
    config: {
      Env: [
        'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
        'NODE_ENV=production'
      ],
      Cmd: ['/srv/app/start.sh'],
      WorkingDir: '/srv/app',
      ExposedPorts: { '80/tcp': {} },
      Labels: { 'org.opencontainers.image.title': 'container-gate demo' }
    }
  }
}
