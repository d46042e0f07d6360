import { describe, expect, it } from '@jest/globals'
import type { Finding } from '../../src/findings.js'
import type { Whiteout } from '../../src/image/analysis.js'
import { combineLayers } from '../../src/image/filesystem.js'
import type { ImageConfig, LayerInfo, TarEntry } from '../../src/image/types.js'
import { silentLogger } from '../../src/log.js'
import { OWNED_FILES_REQUEST } from '../../src/os/owned-files.js'
import { defaultPolicy } from '../../src/policy/defaults.js'
import type { IdentitySettings } from '../../src/steps/identity/settings.js'
import { CAPABILITY_NAMES } from '../../src/steps/identity/capabilities.js'
import { identityStep } from '../../src/steps/identity/index.js'
import type { ImageView } from '../../src/steps/step.js'

/** A file of a hand-written layer: content for regular files, the rest as tar headers have it. */
type FileSpec = string | (Partial<TarEntry> & { content?: string })

interface LayerSpec {
  files?: Record<string, FileSpec>
  whiteouts?: Whiteout[]
}

interface ImageSpec {
  user?: string
  ports?: string[]
  healthcheck?: string[]
  layers: LayerSpec[]
}

function layerDigest(index: number): string {
  return `sha256:${String(index).repeat(64)}`
}

function image(spec: ImageSpec): ImageView {
  const layers = spec.layers.map(({ files = {}, whiteouts = [] }) => {
    const entries: TarEntry[] = []
    const contents = new Map<string, Buffer>()
    for (const [path, file] of Object.entries(files)) {
      const { content, ...header } = typeof file === 'string' ? { content: file } : file
      const type = header.type ?? 'file'
      entries.push({
        path,
        type,
        mode: 0o644,
        uid: 0,
        gid: 0,
        size: content?.length ?? 0,
        ...header
      })
      if (content !== undefined) contents.set(path, Buffer.from(content))
    }
    return { entries, whiteouts, contents }
  })
  const config: ImageConfig = {
    architecture: 'amd64',
    os: 'linux',
    config: {
      ...(spec.user === undefined ? {} : { User: spec.user }),
      ...(spec.ports === undefined
        ? {}
        : { ExposedPorts: Object.fromEntries(spec.ports.map((port) => [port, {}])) }),
      Healthcheck: { Test: spec.healthcheck ?? ['CMD', '/app/healthcheck'] }
    },
    rootfs: { type: 'layers', diff_ids: [] }
  }
  const layerInfos: LayerInfo[] = layers.map((_, index) => ({
    digest: layerDigest(index),
    diffId: `sha256:${'f'.repeat(64)}`,
    size: 1,
    mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip'
  }))
  return {
    reference: 'example.test/app:1',
    digest: `sha256:${'a'.repeat(64)}`,
    platform: { os: 'linux', architecture: 'amd64' },
    config,
    configDigest: `sha256:${'c'.repeat(64)}`,
    layers: layerInfos,
    fs: combineLayers(layers),
    visits: () => [],
    layerChanges: () => layers.map(({ entries, whiteouts }) => ({ entries, whiteouts }))
  }
}

async function scan(spec: ImageSpec, identity: Partial<IdentitySettings> = {}): Promise<Finding[]> {
  const policy = defaultPolicy()
  policy.identity = { ...policy.identity, ...identity }
  const outcome = await identityStep.run({ image: image(spec), policy, logger: silentLogger })
  return outcome.findings
}

/** `rule subject`, the shortest exact statement of what a step found. */
async function found(spec: ImageSpec, identity: Partial<IdentitySettings> = {}): Promise<string[]> {
  return (await scan(spec, identity)).map((finding) => `${finding.rule} ${finding.subject}`)
}

const PASSWD = [
  'root:x:0:0:root:/root:/bin/sh',
  'daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin',
  'svc:x:500:500::/srv:/sbin/nologin',
  'app:x:10001:10001::/home/app:/sbin/nologin',
  ''
].join('\n')
const GROUP = ['root:x:0:', 'daemon:x:1:', 'svc:x:500:', 'app:x:10001:', ''].join('\n')
const SHADOW = ['root:*:19000:0:99999:7:::', 'app:!:19000::::::', ''].join('\n')
const ACCOUNTS = { '/etc/passwd': PASSWD, '/etc/group': GROUP, '/etc/shadow': SHADOW }

/** Capability bits in a vfs_cap_data revision 2 value (linux/capability.h). */
function capabilityXattr(names: string[], effective = true): Buffer {
  const value = Buffer.alloc(20)
  value.writeUInt32LE((0x02000000 | (effective ? 1 : 0)) >>> 0, 0)
  for (const name of names) {
    const bit = (CAPABILITY_NAMES as readonly string[]).indexOf(name)
    const offset = 4 + Math.floor(bit / 32) * 8
    value.writeUInt32LE((value.readUInt32LE(offset) | (1 << (bit % 32))) >>> 0, offset)
  }
  return value
}

describe('identity step: the configured user', () => {
  it.each([
    ['', ['identity/root-user ']],
    ['root', ['identity/root-user root']],
    ['0', ['identity/root-user 0']],
    ['0:0', ['identity/root-user 0:0']],
    ['root:app', ['identity/root-user root:app']],
    ['00', ['identity/root-user 00']],
    ['10001:10001', []],
    ['10001', []],
    ['  10001:10001  ', []],
    ['20000:20000', []],
    ['20000', ['identity/system-range-uid gid:0']],
    ['20000:', ['identity/system-range-uid gid:0']],
    ['app', ['identity/non-numeric-user app']],
    ['app:app', ['identity/non-numeric-user app:app']],
    ['10001:app', ['identity/non-numeric-user 10001:app']],
    ['app:10001', ['identity/non-numeric-user app:10001']],
    ['ghost', ['identity/non-numeric-user ghost', 'identity/unknown-user user:ghost']],
    [
      '10001:ghosts',
      ['identity/non-numeric-user 10001:ghosts', 'identity/unknown-user group:ghosts']
    ],
    ['20000:0', ['identity/system-range-uid gid:0']],
    [
      'svc',
      [
        'identity/non-numeric-user svc',
        'identity/system-range-uid uid:500',
        'identity/system-range-uid gid:500'
      ]
    ],
    ['500:20000', ['identity/system-range-uid uid:500']],
    ['1', ['identity/system-range-uid uid:1', 'identity/system-range-uid gid:1']],
    ['999:999', ['identity/system-range-uid uid:999', 'identity/system-range-uid gid:999']],
    ['1000:1000', []]
  ])('User %j with a typical /etc/passwd → %j', async (user, expected) => {
    expect(await found({ user, layers: [{ files: ACCOUNTS }] })).toEqual(expected)
  })

  it.each([
    [
      'a name that resolves to UID 0',
      'admin',
      'admin:x:0:0::/:/bin/sh\n',
      ['identity/root-user admin']
    ],
    [
      'a name with no /etc/passwd at all',
      'app',
      undefined,
      ['identity/non-numeric-user app', 'identity/unknown-user user:app']
    ],
    ['a numeric UID with no /etc/passwd (distroless)', '65532:65532', undefined, []],
    [
      'a numeric UID whose entry is in the system range',
      '10001',
      'app:x:10001:10::/:/sbin/nologin\n',
      ['identity/system-range-uid gid:10']
    ],
    [
      'a malformed passwd line, which is not an account but is reported as not analysed',
      'app',
      'app:x:notanumber:1::/:/bin/sh\n',
      [
        'identity/non-numeric-user app',
        'identity/unknown-user user:app',
        'identity/input-not-analysed /etc/passwd'
      ]
    ]
  ])('%s', async (_case, user, passwd, expected) => {
    const files: Record<string, FileSpec> = passwd === undefined ? {} : { '/etc/passwd': passwd }
    expect(await found({ user, layers: [{ files }] })).toEqual(expected)
  })

  it('applies min-uid from the policy', async () => {
    expect(await found({ user: '500:500', layers: [] }, { minUid: 500 })).toEqual([])
    expect(await found({ user: '20000', layers: [] }, { minUid: 0 })).toEqual([])
  })

  it('explains root with a fix and no location', async () => {
    expect(await scan({ layers: [] })).toEqual([
      {
        step: 'identity',
        rule: 'identity/root-user',
        severity: 'high',
        title: 'Container runs as root',
        detail:
          'The image config sets no user, so the container runs as root (UID 0). Add `USER 10001:10001` (any UID/GID of 1000 or more) to the Dockerfile.',
        subject: '',
        location: {}
      }
    ])
  })

  it('points an unknown user at /etc/passwd and the layer that wrote it', async () => {
    const [, unknown] = await scan({
      user: 'ghost',
      layers: [{ files: { '/etc/group': GROUP } }, { files: { '/etc/passwd': PASSWD } }]
    })
    expect(unknown).toMatchObject({
      rule: 'identity/unknown-user',
      severity: 'medium',
      title: 'User "ghost" is not in /etc/passwd',
      location: { path: '/etc/passwd', layerDigest: layerDigest(1) }
    })
  })
})

describe('identity step: exposed ports', () => {
  it('reports ports below 1024 for a non-root user, one finding per port', async () => {
    const ports = ['8080/tcp', '80/tcp', '53/udp', '443', '1024/tcp', '1000-1100/tcp']
    expect(await found({ user: '10001:10001', ports, layers: [] })).toEqual([
      'identity/privileged-port 1000-1100/tcp',
      'identity/privileged-port 443',
      'identity/privileged-port 53/udp',
      'identity/privileged-port 80/tcp'
    ])
  })

  it('leaves ports to the root-user finding when the user is root', async () => {
    expect(await found({ user: 'root', ports: ['80/tcp'], layers: [] })).toEqual([
      'identity/root-user root'
    ])
  })
})

describe('identity step: health check', () => {
  it.each([
    ['no health check', undefined, true, ['identity/missing-healthcheck healthcheck']],
    ['an inherited (empty) test', [], true, ['identity/missing-healthcheck healthcheck']],
    ['HEALTHCHECK NONE', ['NONE'], true, ['identity/missing-healthcheck healthcheck']],
    ['a CMD health check', ['CMD', 'true'], true, []],
    ['no health check when the policy does not require one', undefined, false, []]
  ])('%s', async (_case, test, requireHealthcheck, expected) => {
    const view = image({ user: '10001:10001', layers: [] })
    if (test === undefined) delete view.config.config?.Healthcheck
    else view.config.config!.Healthcheck = { Test: test }
    const policy = defaultPolicy()
    policy.identity.requireHealthcheck = requireHealthcheck
    const outcome = await identityStep.run({ image: view, policy, logger: silentLogger })
    expect(outcome.findings.map((f) => `${f.rule} ${f.subject}`)).toEqual(expected)
  })
})

describe('identity step: accounts', () => {
  const nonRoot = { user: '10001:10001' }

  it.each([
    [
      'an empty shadow password with a login shell',
      'eve:x:2000:2000::/:/bin/bash',
      'eve::19000::::::',
      ['identity/empty-password eve']
    ],
    [
      'an empty shadow password with an empty shell (/bin/sh)',
      'eve:x:2000:2000::/:',
      'eve::1::::::',
      ['identity/empty-password eve']
    ],
    [
      'an empty shadow password with nologin',
      'eve:x:2000:2000::/:/usr/sbin/nologin',
      'eve::1::::::',
      []
    ],
    [
      'an empty shadow password with /bin/false',
      'eve:x:2000:2000::/:/bin/false',
      'eve::1::::::',
      []
    ],
    ['an empty shadow password for sync', 'sync:x:2000:2000::/:/bin/sync', 'sync::1::::::', []],
    ['a locked account (!)', 'eve:x:2000:2000::/:/bin/sh', 'eve:!:1::::::', []],
    ['a locked account (!!)', 'eve:x:2000:2000::/:/bin/sh', 'eve:!!:1::::::', []],
    ['a disabled account (*)', 'eve:x:2000:2000::/:/bin/sh', 'eve:*:1::::::', []],
    ['a hashed password', 'eve:x:2000:2000::/:/bin/sh', 'eve:$6$salt$hash:1::::::', []],
    ['an x with no shadow entry', 'eve:x:2000:2000::/:/bin/sh', '', []]
  ])('%s', async (_case, passwd, shadow, expected) => {
    const files = { '/etc/passwd': `${passwd}\n`, '/etc/shadow': `${shadow}\n` }
    expect(await found({ ...nonRoot, layers: [{ files }] })).toEqual(expected)
  })

  it('reports an empty password field in /etc/passwd itself, pointing at /etc/passwd', async () => {
    const findings = await scan({
      ...nonRoot,
      layers: [{ files: { '/etc/passwd': 'root::0:0:root:/root:/bin/ash\n' } }]
    })
    expect(findings).toEqual([
      {
        step: 'identity',
        rule: 'identity/empty-password',
        severity: 'critical',
        title: 'Account "root" has an empty password',
        detail:
          'Anyone can log in as root (shell /bin/ash) without a password. Lock the account (`passwd -l root`, i.e. `!` in the password field) or give it a nologin shell.',
        subject: 'root',
        location: { path: '/etc/passwd', layerDigest: layerDigest(0) }
      }
    ])
  })

  it('reports a second UID-0 account as high and other shared UIDs as medium', async () => {
    const passwd = [
      'root:x:0:0::/root:/bin/sh',
      'toor:x:0:0::/root:/bin/sh',
      'a:x:2000:2000::/:/sbin/nologin',
      'b:x:2000:2000::/:/sbin/nologin',
      'c:x:2000:2000::/:/sbin/nologin'
    ].join('\n')
    const group = ['wheel:x:10:', 'admin:x:10:', 'app:x:10001:'].join('\n')
    const findings = await scan({
      ...nonRoot,
      layers: [{ files: { '/etc/passwd': passwd, '/etc/group': group } }]
    })
    expect(findings.map((f) => [f.rule, f.severity, f.title, f.subject, f.location.path])).toEqual([
      ['identity/duplicate-uid', 'high', 'UID 0 is shared by root, toor', 'uid:0', '/etc/passwd'],
      [
        'identity/duplicate-uid',
        'medium',
        'UID 2000 is shared by a, b, c',
        'uid:2000',
        '/etc/passwd'
      ],
      ['identity/duplicate-gid', 'low', 'GID 10 is shared by wheel, admin', 'gid:10', '/etc/group']
    ])
  })
})

describe('identity step: files', () => {
  const nonRoot = { user: '10001:10001' }

  it('reports setuid and setgid files with their path and the layer that wrote them', async () => {
    const findings = await scan({
      ...nonRoot,
      layers: [
        { files: { '/usr/bin/passwd': { mode: 0o755 } } },
        {
          files: {
            '/usr/bin/passwd': { mode: 0o4755 },
            '/usr/bin/wall': { mode: 0o2755, gid: 5 },
            '/usr/bin/both': { mode: 0o6755 },
            '/var/mail': { type: 'dir', mode: 0o2775 },
            '/usr/bin/plain': { mode: 0o755 }
          }
        }
      ]
    })
    expect(findings.map((f) => `${f.rule} ${f.subject} ${f.location.layerDigest}`)).toEqual([
      `identity/setuid-file /usr/bin/both ${layerDigest(1)}`,
      `identity/setgid-file /usr/bin/both ${layerDigest(1)}`,
      `identity/setuid-file /usr/bin/passwd ${layerDigest(1)}`,
      `identity/setgid-file /usr/bin/wall ${layerDigest(1)}`
    ])
    expect(findings[3]).toEqual({
      step: 'identity',
      rule: 'identity/setgid-file',
      severity: 'medium',
      title: 'Setgid file /usr/bin/wall',
      detail:
        'It runs with its group (GID 5) whoever starts it. Remove the bit (`chmod g-s /usr/bin/wall`), delete the file, or allow it with allowed-setuid.',
      subject: '/usr/bin/wall',
      location: { path: '/usr/bin/wall', layerDigest: layerDigest(1) }
    })
  })

  it('does not report a setuid file that a later layer deletes', async () => {
    expect(
      await found({
        ...nonRoot,
        layers: [
          { files: { '/usr/bin/mount': { mode: 0o4755 } } },
          { whiteouts: [{ path: '/usr/bin/mount', opaque: false }] }
        ]
      })
    ).toEqual([])
  })

  it('accepts setuid and setgid files matched by allowed-setuid globs', async () => {
    const files = {
      '/usr/bin/ping': { mode: 0o4755 },
      '/usr/bin/chsh': { mode: 0o4755 },
      '/opt/chrome/chrome-sandbox': { mode: 0o4755 },
      '/usr/bin/su': { mode: 0o4755 }
    }
    const allowedSetuid = ['/usr/bin/{ping,chsh}', '/opt/**/chrome-sandbox']
    expect(await found({ ...nonRoot, layers: [{ files }] }, { allowedSetuid })).toEqual([
      'identity/setuid-file /usr/bin/su',
      'identity/privilege-escalation-tool /usr/bin/su'
    ])
  })

  it('names the capabilities in a security.capability xattr', async () => {
    const findings = await scan({
      ...nonRoot,
      layers: [
        {
          files: {
            '/usr/bin/ping': {
              mode: 0o755,
              xattrs: {
                'security.capability': capabilityXattr(['CAP_NET_RAW', 'CAP_NET_BIND_SERVICE'])
              }
            },
            '/usr/bin/odd': { mode: 0o755, xattrs: { 'security.capability': Buffer.from([1, 2]) } },
            '/usr/bin/bpf': {
              mode: 0o755,
              xattrs: { 'security.capability': capabilityXattr(['CAP_BPF'], false) }
            }
          }
        }
      ]
    })
    expect(findings.map((f) => [f.rule, f.severity, f.title])).toEqual([
      ['identity/file-capabilities', 'high', 'File capabilities on /usr/bin/bpf: CAP_BPF'],
      ['identity/file-capabilities', 'high', 'File capabilities on /usr/bin/odd'],
      [
        'identity/file-capabilities',
        'high',
        'File capabilities on /usr/bin/ping: CAP_NET_BIND_SERVICE, CAP_NET_RAW'
      ]
    ])
  })

  it('reports su, sudo and doas in binary directories, following busybox applet links', async () => {
    const findings = await scan({
      ...nonRoot,
      layers: [
        {
          files: {
            '/bin/busybox': { mode: 0o755 },
            '/bin/su': { type: 'symlink', mode: 0o777, linkTarget: 'busybox' },
            '/usr/bin/sudo': { type: 'symlink', mode: 0o777, linkTarget: '/nowhere/sudo' },
            '/usr/local/bin/doas': { mode: 0o755 },
            '/opt/tools/su': { mode: 0o755 },
            '/usr/sbin/su': { type: 'dir', mode: 0o755 }
          }
        }
      ]
    })
    expect(findings.map((f) => [f.rule, f.title, f.location.path])).toEqual([
      [
        'identity/privilege-escalation-tool',
        'Privilege escalation tool /bin/su (→ /bin/busybox)',
        '/bin/su'
      ],
      [
        'identity/privilege-escalation-tool',
        'Privilege escalation tool /usr/local/bin/doas',
        '/usr/local/bin/doas'
      ]
    ])
  })

  it('says when sudoers grants passwordless sudo', async () => {
    const findings = await scan({
      ...nonRoot,
      layers: [
        {
          files: {
            '/etc/sudoers': '# %wheel ALL=(ALL) NOPASSWD: ALL\nroot ALL=(ALL) ALL\n',
            '/etc/sudoers.d/app': 'app ALL=(ALL) NOPASSWD: ALL\n',
            '/usr/bin/sudo': { mode: 0o4755 }
          }
        }
      ]
    })
    expect(findings.map((f) => [f.rule, f.detail])).toEqual([
      [
        'identity/setuid-file',
        'It runs as its owner (UID 0) whoever starts it. Remove the bit (`chmod u-s /usr/bin/sudo`), delete the file, or allow it with allowed-setuid.'
      ],
      [
        'identity/privilege-escalation-tool',
        '`sudo` lets a process become another user, root included. /etc/sudoers.d/app grants passwordless use. Remove it from the runtime image (a multi-stage build leaves it behind).'
      ]
    ])
  })
})

describe('identity step: declaration', () => {
  it('asks the engine for the account databases and sudo/doas configuration, size-capped', async () => {
    expect(identityStep.id).toBe('identity')
    expect((await identityStep.needs!(defaultPolicy())).files).toEqual([
      {
        globs: [
          '/etc/passwd',
          '/etc/group',
          '/etc/shadow',
          '/etc/sudoers',
          '/etc/sudoers.d/*',
          '/etc/doas.conf'
        ],
        maxBytes: 1048576
      },
      OWNED_FILES_REQUEST
    ])
  })

  it("blocks a setuid file the team added, and reports the distribution's own as medium", async () => {
    const findings = await scan({
      user: '10001:10001',
      layers: [
        {
          files: {
            '/var/lib/dpkg/info/passwd.list': '/usr/bin/passwd\n',
            '/usr/bin/passwd': { mode: 0o4755, content: 'x' },
            '/usr/local/bin/netdiag': { mode: 0o4755, content: 'x' }
          }
        }
      ]
    })
    expect(
      findings.filter((f) => f.rule === 'identity/setuid-file').map((f) => [f.severity, f.title])
    ).toEqual([
      ['medium', 'Setuid file /usr/bin/passwd (from an OS package)'],
      ['high', 'Setuid file /usr/local/bin/netdiag']
    ])
  })

  it('passes a well-built image: numeric non-root user, no privilege, a health check', async () => {
    const outcome = await identityStep.run({
      image: image({ user: '10001:10001', ports: ['8080/tcp'], layers: [{ files: ACCOUNTS }] }),
      policy: defaultPolicy(),
      logger: silentLogger
    })
    expect(outcome).toEqual({ findings: [], notes: ['user 10001:10001'] })
  })
})

describe('the step pipeline', () => {
  it('lists the six steps in design order, identity first', async () => {
    const { STEPS } = await import('../../src/steps/index.js')
    expect(STEPS.map((step) => step.id)).toEqual([
      'identity',
      'tests',
      'code',
      'composition',
      'hardening',
      'custody'
    ])
    expect(STEPS[0]).toBe(identityStep)
  })
})
