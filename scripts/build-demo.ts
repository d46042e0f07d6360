// Generates demo/sample-image.tar (an OCI archive) from the files under demo/layers/.
// Run with `npm run demo:build`; the output is deterministic, so a rebuild without changes to
// demo/ leaves the committed file byte-identical.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { buildImage, writeOciArchive, type FixtureEntry } from '../__fixtures__/image-builder.js'

const root = 'demo/layers'

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

const image = buildImage({
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
      entries: layerEntries(join(root, 'tools')),
      compression: 'zstd',
      createdBy: 'COPY tools/ / # buildkit'
    },
    {
      entries: [...layerEntries(join(root, 'app')), { path: 'srv/app/.wh.node_modules' }],
      createdBy: 'COPY app/ /srv/app/ # buildkit'
    }
  ],
  config: {
    Env: [
      'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      'NODE_ENV=production'
    ],
    Cmd: ['node', '/srv/app/server.js'],
    WorkingDir: '/srv/app',
    ExposedPorts: { '80/tcp': {} },
    Labels: { 'org.opencontainers.image.title': 'container-gate demo' }
  }
})

writeOciArchive('demo/sample-image.tar', [{ image, ref: 'demo' }])
process.stdout.write(`demo/sample-image.tar: ${image.manifestDigest}\n`)
