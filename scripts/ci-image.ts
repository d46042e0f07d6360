// Writes a well-built image (numeric non-root user, no setuid files, a HEALTHCHECK) as an OCI
// layout directory, for CI's run of the bundled action: `node scripts/run-ts.mjs scripts/ci-image.ts DIR`.
import { buildImage, writeOciLayout } from '../__fixtures__/image-builder.js'

const dir = process.argv[2]
if (!dir) throw new Error('usage: scripts/ci-image.ts DIR')

const image = buildImage({
  layers: [
    {
      entries: [
        { path: 'etc/' },
        {
          path: 'etc/passwd',
          content: 'root:x:0:0:root:/root:/sbin/nologin\napp:x:10001:10001::/app:/sbin/nologin\n'
        },
        { path: 'etc/group', content: 'root:x:0:\napp:x:10001:\n' },
        { path: 'etc/shadow', content: 'root:*:19000::::::\napp:!:19000::::::\n', mode: 0o600 },
        { path: 'tmp/', mode: 0o1777 }
      ],
      compression: 'gzip'
    },
    {
      entries: [
        { path: 'app/', uid: 0, gid: 0 },
        { path: 'app/server', content: 'binary stand-in\n', mode: 0o755 }
      ],
      compression: 'zstd'
    }
  ],
  config: {
    User: '10001:10001',
    Cmd: ['/app/server'],
    ExposedPorts: { '8080/tcp': {} },
    Healthcheck: { Test: ['CMD', '/app/server', '--health'] }
  }
})
writeOciLayout(dir, [{ image, ref: 'good' }])
