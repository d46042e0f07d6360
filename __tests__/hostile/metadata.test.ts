/**
 * Malformed metadata (index.json, manifests, configs, docker save's manifest.json, YAML and JSON
 * inputs) through the real CLI: exit 2 with one sentence naming the document and the field, or
 * the outcome a well-known tool gives the same shape; never a stack trace, never a step down.
 */
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { captureOutput, type CapturedOutput } from '../../__fixtures__/capture.js'
import { installDockerStandIn } from '../../__fixtures__/docker-stand-in.js'
import { main } from '../../src/cli.js'
import type { GateReport } from '../../src/report/model.js'
import { MEDIA_TYPES } from '../../src/image/types.js'
import {
  CONFIG_CASES,
  DOCKER_SAVE_CASES,
  documentName,
  editedImage,
  LAYOUT_CASES,
  TOLERATED_CASES,
  writeImage,
  writeTar,
  type EditedImage,
  type MetadataCase,
  type Transport
} from './metadata-images.js'

let dir: string
let output: CapturedOutput

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hostile-metadata-'))
  output = captureOutput()
})

afterEach(() => {
  jest.restoreAllMocks()
  rmSync(dir, { recursive: true, force: true })
})

/** Lines of a stack trace, or the CLI's wording for a bug. */
function expectNoStack(text: string): void {
  expect(text).not.toMatch(/^\s+at /m)
  expect(text).not.toContain('internal error')
}

async function scan(args: string[], env: NodeJS.ProcessEnv = {}): Promise<number> {
  return main(['scan', ...args], env)
}

/** Runs `scan SOURCE` and checks the outcome the case expects. */
async function expectOutcome(
  source: string,
  kase: MetadataCase,
  name: string,
  env: NodeJS.ProcessEnv = {}
): Promise<void> {
  const status = await scan([source, '--format', 'json'], env)
  expectNoStack(output.stderr + output.stdout)
  if (typeof kase.expected === 'string') {
    expect({ status, stderr: output.stderr }).toEqual({
      status: 2,
      stderr: `container-gate: ${name}: ${kase.expected}\n`
    })
    return
  }
  expect({ status, stderr: output.stderr }).toEqual({ status: kase.expected.status, stderr: '' })
  const report = JSON.parse(output.stdout) as GateReport
  expect(report.steps.filter((step) => step.status === 'error')).toEqual([])
  expect(report.verdict).toBe('pass')
}

function table(
  cases: MetadataCase[],
  transports: Transport[]
): Array<[string, Transport, MetadataCase]> {
  return cases.flatMap((kase) =>
    transports.map((transport): [string, Transport, MetadataCase] => [kase.name, transport, kase])
  )
}

describe('a config of the wrong shape is refused naming the config and the field', () => {
  it.each(table(CONFIG_CASES, ['oci', 'oci-archive', 'docker-archive']))(
    '%s (%s)',
    async (_name, transport, kase) => {
      const image = editedImage(kase.edits)
      const source = writeImage(dir, transport, image)
      await expectOutcome(source, kase, documentName(kase.kind, source, image))
    }
  )
})

describe('shapes that docker and containerd read are read the same way', () => {
  it.each(table(TOLERATED_CASES, ['oci', 'oci-archive', 'docker-archive']))(
    '%s (%s)',
    async (_name, transport, kase) => {
      const image = editedImage(kase.edits)
      await expectOutcome(writeImage(dir, transport, image), kase, '')
    }
  )
})

describe('an index or manifest of the wrong shape is refused naming it and the field', () => {
  it.each(table(LAYOUT_CASES, ['oci', 'oci-archive']))(
    '%s (%s)',
    async (_name, transport, kase) => {
      const image = editedImage(kase.edits)
      const source = writeImage(dir, transport, image)
      await expectOutcome(source, kase, documentName(kase.kind, source, image))
    }
  )
})

describe("docker save's manifest.json of the wrong shape is refused naming the field", () => {
  it.each(table(DOCKER_SAVE_CASES, ['docker-archive']))(
    '%s (%s)',
    async (_name, transport, kase) => {
      const image = editedImage(kase.edits)
      const source = writeImage(dir, transport, image)
      await expectOutcome(source, kase, documentName(kase.kind, source, image))
    }
  )

  it.each([
    ['Layers null', DOCKER_SAVE_CASES[0]!],
    ['config.User a number', CONFIG_CASES.find((c) => c.name === 'config.User a number')!]
  ])('from docker-daemon: as from docker-archive: (%s)', async (_name, kase) => {
    const image = editedImage(kase.edits)
    writeTar(join(dir, 'saved.tar'), image.dockerSave)
    const bin = installDockerStandIn(join(dir, 'bin'), { 'hostile:1': join(dir, 'saved.tar') })
    const source = 'docker-daemon:hostile:1'
    const what =
      kase.kind === 'config' ? `${source} config ${image.configMember}` : `${source} manifest.json`
    await expectOutcome(source, kase, what, { PATH: `${bin}:${process.env.PATH ?? ''}` })
  })
})

/**
 * A registry (distribution-spec "Pull", anonymous) serving one image as `hostile:1` on loopback,
 * where plain HTTP is allowed: index.json or the manifest at the tag, blobs by digest.
 */
async function serveImage(
  image: EditedImage,
  top: 'index' | 'manifest'
): Promise<{ host: string; close: () => Promise<void> }> {
  const blob = (digest: string): Buffer | undefined =>
    image.layout.get(`blobs/sha256/${digest.replace(/^sha256:/, '')}`)
  const server = createServer((request, response) => {
    const url = request.url ?? ''
    const tagged = url === '/v2/hostile/manifests/1'
    const manifest = /^\/v2\/hostile\/manifests\/(sha256:[a-f0-9]{64})$/.exec(url)?.[1]
    const digest = /^\/v2\/hostile\/blobs\/(sha256:[a-f0-9]{64})$/.exec(url)?.[1]
    const body =
      url === '/v2/'
        ? Buffer.from('{}')
        : tagged
          ? top === 'index'
            ? image.layout.get('index.json')
            : blob(image.manifestDigest)
          : blob(manifest ?? digest ?? '')
    if (body === undefined) {
      response.writeHead(404).end()
      return
    }
    const type =
      tagged && top === 'index'
        ? MEDIA_TYPES.ociIndex
        : tagged || manifest !== undefined
          ? MEDIA_TYPES.ociManifest
          : 'application/octet-stream'
    response.writeHead(200, { 'content-type': type, 'content-length': body.length }).end(body)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    host: `127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve()))
  }
}

describe('documents from a registry are validated as those from files', () => {
  const byName = (name: string): MetadataCase =>
    [...CONFIG_CASES, ...LAYOUT_CASES, ...TOLERATED_CASES].find((c) => c.name === name)!

  it.each([
    ['config.User a number', 'manifest'],
    ['history that is not an array', 'manifest'],
    ['manifest layers null', 'manifest'],
    ['a negative layer size', 'manifest'],
    ['an index descriptor that is null', 'index'],
    ['Cmd a single string (docker reads it as a list of one)', 'index']
  ] as Array<[string, 'index' | 'manifest']>)('%s (served as the %s)', async (name, top) => {
    const kase = byName(name)
    const image = editedImage(kase.edits)
    const registry = await serveImage(image, top)
    try {
      const source = `${registry.host}/hostile:1`
      const what = {
        config: `config ${image.configDigest} of ${source}`,
        manifest:
          top === 'index'
            ? `manifest ${image.manifestDigest} of ${source}`
            : `manifest of ${source}`,
        index: `manifest of ${source}`,
        'docker-manifest': ''
      }[kase.kind]
      await expectOutcome(source, kase, what)
    } finally {
      await registry.close()
    }
  })
})

/** Ten anchors, each ten aliases of the one before: 10^9 strings once expanded. */
function billionLaughs(indent = ''): string {
  const names = 'abcdefghi'
  const lines = [`${indent}a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]`]
  for (let i = 1; i < names.length; i++) {
    const previous = `*${names[i - 1]}`
    lines.push(`${indent}${names[i]}: &${names[i]} [${Array(10).fill(previous).join(',')}]`)
  }
  return lines.join('\n') + '\n'
}

describe('YAML and JSON inputs that would exhaust the gate are refused naming the file', () => {
  const passing = (): string => writeImage(dir, 'oci', editedImage({}))

  it('refuses a policy file whose aliases expand exponentially ("billion laughs")', async () => {
    const policy = join(dir, 'policy.yml')
    writeFileSync(policy, billionLaughs())
    const status = await scan([passing(), '--config', policy])
    expectNoStack(output.stderr)
    expect({ status, stderr: output.stderr }).toEqual({
      status: 2,
      stderr: `container-gate: policy file ${policy}: its aliases expand to more than 100 copies of an anchor, as a "billion laughs" attack does; write the values out or use fewer aliases.\n`
    })
  })

  it('refuses a policy file with an alias to no anchor, naming the alias', async () => {
    const policy = join(dir, 'policy.yml')
    writeFileSync(policy, 'fail-on: *nope\n')
    const status = await scan([passing(), '--config', policy])
    expectNoStack(output.stderr)
    expect({ status, stderr: output.stderr }).toEqual({
      status: 2,
      stderr: `container-gate: policy file ${policy}: Unresolved alias (the anchor must be set before the alias): nope; fix the YAML.\n`
    })
  })

  it('refuses a policy file over 1 MiB before parsing it', async () => {
    const policy = join(dir, 'policy.yml')
    const text = `# ${'x'.repeat(1024 * 1024)}\nfail-on: high\n`
    writeFileSync(policy, text)
    const status = await scan([passing(), '--config', policy])
    expect({ status, stderr: output.stderr }).toEqual({
      status: 2,
      stderr: `container-gate: input "config" ${policy} is ${text.length} bytes, more than the 1048576 bytes this input may be; shorten it.\n`
    })
  })

  it('refuses a structure-test file whose aliases expand exponentially', async () => {
    const tests = join(dir, 'tests.yml')
    writeFileSync(
      tests,
      `schemaVersion: 2.0.0\n${billionLaughs()}commandTests:\n  - name: x\n    command: "true"\n    args: *i\n`
    )
    const status = await scan([passing(), '--structure-tests', tests])
    expectNoStack(output.stderr)
    expect({ status, stderr: output.stderr }).toEqual({
      status: 2,
      stderr: `container-gate: structure-tests file "${tests}": its aliases expand to more than 100 copies of an anchor, as a "billion laughs" attack does; write the values out or use fewer aliases.\n`
    })
  })

  it('refuses a VEX document nested 100 000 deep with a message, not a stack overflow', async () => {
    const vex = join(dir, 'vex.json')
    const depth = 100_000
    writeFileSync(
      vex,
      `{"@context":"https://openvex.dev/ns/v0.2.0","statements":[${'['.repeat(depth)}${']'.repeat(depth)}]}`
    )
    const status = await scan([passing(), '--vex', vex])
    expectNoStack(output.stderr)
    expect({ status, stderr: output.stderr }).toEqual({
      status: 2,
      stderr: `container-gate: input "vex" ${vex} statement 0 is not an object; give an OpenVEX document (https://github.com/openvex/spec).\n`
    })
  })
})
