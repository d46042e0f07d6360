import { describe, expect, it } from '@jest/globals'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildImage, FIXTURE_CREATED } from '../../__fixtures__/image-builder.js'
import { memorySource } from '../../__fixtures__/memory-source.js'
import { parseCreatedBy } from '../../src/dockerfile/history.js'
import { locateFinding, mapDockerfile } from '../../src/dockerfile/map.js'
import { runGate } from '../../src/engine.js'
import type { Finding } from '../../src/findings.js'
import type { HistoryEntry } from '../../src/image/types.js'
import { silentLogger } from '../../src/log.js'
import { defaultPolicy } from '../../src/policy/defaults.js'
import { identityStep } from '../../src/steps/identity/index.js'

/** A Go service built in one stage and shipped on Debian in the next (lines numbered below). */
const MULTI_STAGE = [
  '# syntax=docker/dockerfile:1', //                                         1
  'ARG GO_VERSION=1.22', //                                                  2
  'FROM golang:${GO_VERSION} AS build', //                                   3
  'WORKDIR /src', //                                                         4
  'COPY go.mod go.sum ./', //                                                5
  'RUN go mod download', //                                                  6
  'COPY . .', //                                                             7
  'RUN CGO_ENABLED=0 go build -o /out/app ./cmd/app', //                     8
  '', //                                                                     9
  'FROM debian:bookworm-slim AS runtime', //                                10
  'RUN apt-get update \\', //                                               11
  '  && apt-get install -y --no-install-recommends ca-certificates curl \\', // 12
  '  && rm -rf /var/lib/apt/lists/*', //                                    13
  'COPY --from=build /out/app /usr/local/bin/app', //                      14
  'COPY --chown=10001:10001 config/ /etc/app/', //                         15
  'ENV APP_MODE=production LOG_LEVEL=info', //                              16
  'EXPOSE 80 8080', //                                                      17
  'USER 10001:10001', //                                                    18
  'ENTRYPOINT ["/usr/local/bin/app"]', //                                   19
  ''
].join('\n')

function entry(createdBy: string, empty = false): HistoryEntry {
  return {
    created: FIXTURE_CREATED,
    created_by: createdBy,
    ...(empty ? { empty_layer: true } : {})
  }
}

/** The history BuildKit writes for the runtime stage, on a base built by the classic builder. */
const BUILDKIT_HISTORY: HistoryEntry[] = [
  entry('/bin/sh -c #(nop) ADD file:6b4b2c1e8f0a9d7c5e3b1a2f4d6c8e0b in / '),
  entry('/bin/sh -c #(nop)  CMD ["bash"]', true),
  entry(
    'RUN /bin/sh -c apt-get update   && apt-get install -y --no-install-recommends ca-certificates curl   && rm -rf /var/lib/apt/lists/* # buildkit'
  ),
  entry('COPY /out/app /usr/local/bin/app # buildkit'),
  entry('COPY --chown=10001:10001 config/ /etc/app/ # buildkit'),
  entry('ENV APP_MODE=production LOG_LEVEL=info', true),
  entry('EXPOSE map[80/tcp:{} 8080/tcp:{}]', true),
  entry('USER 10001:10001', true),
  entry('ENTRYPOINT ["/usr/local/bin/app"]', true)
]

describe('parseCreatedBy', () => {
  it.each([
    [
      'RUN /bin/sh -c apt-get install -y curl # buildkit',
      { keyword: 'RUN', args: 'apt-get install -y curl' }
    ],
    [
      'RUN |2 VERSION=1.2 TARGETARCH=amd64 /bin/sh -c make   install # buildkit',
      { keyword: 'RUN', args: 'make install' }
    ],
    [
      'COPY --from=build /out/app /usr/local/bin/ # buildkit',
      { keyword: 'COPY', args: '/out/app /usr/local/bin/', destination: '/usr/local/bin/' }
    ],
    ['USER 10001', { keyword: 'USER', args: '10001' }],
    ['WORKDIR /app', { keyword: 'WORKDIR', args: '/app' }],
    ['/bin/sh -c apk add --no-cache curl', { keyword: 'RUN', args: 'apk add --no-cache curl' }],
    ['|1 V=1 /bin/sh -c echo $V > /v', { keyword: 'RUN', args: 'echo $V > /v' }],
    ['/bin/sh -c #(nop)  CMD ["/app/run"]', { keyword: 'CMD', args: '["/app/run"]' }],
    [
      '/bin/sh -c #(nop) COPY file:0a1b2c3d4e5f in /app/run ',
      { keyword: 'COPY', args: 'file:0a1b2c3d4e5f in /app/run', destination: '/app/run' }
    ],
    [
      '/bin/sh -c #(nop) ADD multi:9f8e7d6c in /etc/ ',
      { keyword: 'ADD', args: 'multi:9f8e7d6c in /etc/', destination: '/etc/' }
    ],
    ['', { keyword: 'RUN', args: '' }]
  ])('%j', (createdBy, expected) => {
    expect(parseCreatedBy(createdBy)).toEqual(expected)
  })
})

describe('mapDockerfile', () => {
  it('maps a multi-stage BuildKit build: base layers to the FROM, each layer to its instruction', () => {
    const map = mapDockerfile(MULTI_STAGE, 'Dockerfile', BUILDKIT_HISTORY, 4)!
    expect(map.layerLines).toEqual([10, 11, 14, 15])
    expect([map.fromLine, map.baseLine, map.matched]).toEqual([10, 10, 7])
  })

  it('picks the stage that built the image, e.g. a --target build of the first stage', () => {
    const history = [
      entry('/bin/sh -c #(nop) ADD file:aa in / '),
      entry('WORKDIR /src', true),
      entry('COPY go.mod go.sum ./ # buildkit'),
      entry('RUN /bin/sh -c go mod download # buildkit'),
      entry('COPY . . # buildkit'),
      entry('RUN /bin/sh -c CGO_ENABLED=0 go build -o /out/app ./cmd/app # buildkit')
    ]
    const map = mapDockerfile(MULTI_STAGE, 'Dockerfile', history, 5)!
    expect(map.layerLines).toEqual([3, 5, 6, 7, 8])
    expect(map.fromLine).toBe(3)
  })

  it('follows a stage built FROM an earlier stage back to the FROM naming the base image', () => {
    const text =
      'FROM alpine:3.20 AS base\nRUN apk add --no-cache tini\n\nFROM base AS app\nCOPY app /app\nUSER 10001\n'
    const history = [
      entry('/bin/sh -c #(nop) ADD file:bb in / '),
      entry('/bin/sh -c #(nop)  CMD ["/bin/sh"]', true),
      entry('RUN /bin/sh -c apk add --no-cache tini # buildkit'),
      entry('COPY app /app # buildkit'),
      entry('USER 10001', true)
    ]
    const map = mapDockerfile(text, 'Dockerfile', history, 3)!
    expect(map.layerLines).toEqual([1, 2, 5])
    expect([map.fromLine, map.baseLine]).toEqual([4, 1])
  })

  it('maps the classic builder history format, with build args on RUN', () => {
    const text =
      'FROM alpine:3.20\nARG VERSION=1\nRUN apk add --no-cache curl\nRUN echo $VERSION > /version\nCOPY app /app/run\nUSER app\nCMD ["/app/run"]\n'
    const history = [
      entry('/bin/sh -c #(nop) ADD file:cc in / '),
      entry('/bin/sh -c #(nop)  CMD ["/bin/sh"]', true),
      entry('/bin/sh -c #(nop)  ARG VERSION=1', true),
      entry('/bin/sh -c apk add --no-cache curl'),
      entry('|1 VERSION=1 /bin/sh -c echo $VERSION > /version'),
      entry('/bin/sh -c #(nop) COPY file:0a1b2c in /app/run '),
      entry('/bin/sh -c #(nop)  USER app', true),
      entry('/bin/sh -c #(nop)  CMD ["/app/run"]', true)
    ]
    const map = mapDockerfile(text, 'Dockerfile', history, 4)!
    expect(map.layerLines).toEqual([1, 3, 4, 5])
  })

  it('leaves layers unmapped when the history does not pair with the layers', () => {
    const map = mapDockerfile(MULTI_STAGE, 'Dockerfile', BUILDKIT_HISTORY, 5)!
    expect(map.layerLines).toEqual([undefined, undefined, undefined, undefined, undefined])
    expect(map.fromLine).toBe(10)
  })

  it('declines a Dockerfile whose instructions match nothing in the history', () => {
    const history = [entry('/bin/sh -c #(nop) ADD file:dd in / ')]
    expect(mapDockerfile('FROM scratch\nENV A=1\n', 'Dockerfile', history, 1)).toBeUndefined()
    expect(mapDockerfile('# only a comment\n', 'Dockerfile', history, 1)).toBeUndefined()
  })
})

describe('locateFinding', () => {
  const map = mapDockerfile(MULTI_STAGE, 'docker/Dockerfile', BUILDKIT_HISTORY, 4)!
  const layers = ['base', 'run', 'copy-app', 'copy-config'].map((name) => ({
    digest: `sha256:${name}`
  }))
  const fs = {
    get: (path: string) =>
      path === '/etc/app/app.yaml'
        ? { path, type: 'file' as const, mode: 0o644, uid: 0, gid: 0, size: 1, layer: 3 }
        : undefined
  }
  const finding = (rule: string, subject: string, location: Finding['location'] = {}): Finding => ({
    step: 'identity',
    rule,
    severity: 'high',
    title: rule,
    subject,
    location
  })

  it.each<[string, Finding, number | undefined]>([
    [
      'a file from a RUN layer → the RUN',
      finding('identity/setuid-file', '/usr/bin/x', {
        path: '/usr/bin/x',
        layerDigest: 'sha256:run'
      }),
      11
    ],
    [
      'a file from COPY --from → the COPY',
      finding('composition/vulnerability', 'app', { layerDigest: 'sha256:copy-app' }),
      14
    ],
    [
      'a base-image file → the FROM',
      finding('identity/setuid-file', '/bin/su', { path: '/bin/su', layerDigest: 'sha256:base' }),
      10
    ],
    [
      'a path without a layer → the layer that wrote it',
      finding('hardening/secret-generic', '/etc/app/app.yaml', { path: '/etc/app/app.yaml' }),
      15
    ],
    ['root user → the last USER', finding('identity/root-user', ''), 18],
    ['a system-range UID → the last USER', finding('identity/system-range-uid', 'uid:100'), 18],
    ['a privileged port → the EXPOSE naming it', finding('identity/privileged-port', '80/tcp'), 17],
    [
      'a missing HEALTHCHECK → the FROM of the built stage',
      finding('identity/missing-healthcheck', 'healthcheck'),
      10
    ],
    ['an ENV value → the ENV defining it', finding('hardening/secret-env', 'env:LOG_LEVEL'), 16],
    ['nothing to go by → unmapped', finding('composition/vulnerability', 'pkg'), undefined],
    [
      'an unknown layer → unmapped',
      finding('identity/setuid-file', '/x', { path: '/x', layerDigest: 'sha256:other' }),
      undefined
    ]
  ])('%s', (_name, input, line) => {
    const located = locateFinding(input, map, { layers, fs })
    expect(located.location.dockerfile).toEqual(
      line === undefined ? undefined : { file: 'docker/Dockerfile', line }
    )
    expect({ ...located, location: { ...located.location, dockerfile: undefined } }).toEqual({
      ...input,
      location: { ...input.location, dockerfile: undefined }
    })
  })

  it('puts root on the FROM of the built stage when there is no USER', () => {
    const text = 'FROM alpine:3.20\nRUN apk add curl\n'
    const history = [
      entry('/bin/sh -c #(nop) ADD file:ee in / '),
      entry('RUN /bin/sh -c apk add curl # buildkit')
    ]
    const plain = mapDockerfile(text, 'Dockerfile', history, 2)!
    expect(
      locateFinding(finding('identity/root-user', ''), plain, { layers, fs }).location.dockerfile
    ).toEqual({
      file: 'Dockerfile',
      line: 1
    })
  })
})

describe('runGate with a Dockerfile', () => {
  it('puts identity findings on the lines that caused them and keeps unmapped ones', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dockerfile-'))
    try {
      const dockerfile = join(dir, 'Dockerfile')
      writeFileSync(
        dockerfile,
        'FROM debian:bookworm-slim\nRUN chmod u+s /usr/bin/newgrp\nCOPY passwd /etc/passwd\n'
      )
      const image = buildImage({
        layers: [
          {
            entries: [
              { path: 'usr/' },
              { path: 'usr/bin/' },
              { path: 'usr/bin/newgrp', content: 'x', mode: 0o755 }
            ]
          },
          { entries: [{ path: 'usr/bin/newgrp', content: 'x', mode: 0o4755 }] },
          {
            entries: [
              { path: 'etc/' },
              { path: 'etc/passwd', content: 'root:x:0:0::/root:/bin/sh\n' }
            ]
          }
        ],
        history: [
          entry('/bin/sh -c #(nop) ADD file:ff in / '),
          entry('RUN /bin/sh -c chmod u+s /usr/bin/newgrp # buildkit'),
          entry('COPY passwd /etc/passwd # buildkit')
        ]
      })
      const { report } = await runGate(
        {
          image: 'oci:test',
          policy: defaultPolicy(),
          acquire: { platform: image.platform, insecureRegistries: [], env: {} },
          dockerfile
        },
        silentLogger,
        [identityStep],
        () => memorySource(image)
      )
      const lines = Object.fromEntries(
        report.findings.map((f) => [f.rule, f.location.dockerfile?.line ?? null])
      )
      expect(lines).toEqual({
        'identity/root-user': 1,
        'identity/setuid-file': 2,
        'identity/missing-healthcheck': 1
      })
      expect(
        report.findings.find((f) => f.rule === 'identity/setuid-file')!.location.dockerfile!.file
      ).toBe(dockerfile.replace(/^\.\//, ''))
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('mapDockerfile on odd but valid histories', () => {
  const text = 'FROM alpine:3.20\nRUN apk add --no-cache curl\nCOPY app /app\n'

  it.each([
    ['no history at all', [], 2],
    ['every entry flagged empty_layer', [entry('RUN x', true), entry('COPY app /app', true)], 2],
    ['more entries than layers', [entry('ADD f /'), entry('RUN a'), entry('RUN b')], 1]
  ] as Array<[string, HistoryEntry[], number]>)(
    'leaves the layers unplaced with %s',
    (_name, history, layers) => {
      const map = mapDockerfile(text, 'Dockerfile', history, layers)
      expect(map?.layerLines ?? Array(layers).fill(undefined)).toEqual(
        Array(layers).fill(undefined)
      )
    }
  )

  it('aligns only the stages that fit the cell budget, the last stage first', () => {
    // 4096 entries × a 1100-instruction first stage is past MAX_ALIGNMENT_CELLS; the last stage fits.
    const big = `FROM alpine AS big\n${'RUN true\n'.repeat(1100)}`
    const last = 'FROM debian AS app\nCOPY app /app\n'
    const history = [
      ...Array.from({ length: 4094 }, () => entry('RUN /bin/sh -c true', true)),
      entry('/bin/sh -c #(nop) ADD file:ee in / '),
      entry('COPY app /app # buildkit')
    ]
    const map = mapDockerfile(big + last, 'Dockerfile', history, 2)!
    expect(map.fromLine).toBe(1102)
    expect(map.layerLines).toEqual([1102, 1103])
    expect(mapDockerfile(big, 'Dockerfile', history, 2)).toBeUndefined()
  })
})
