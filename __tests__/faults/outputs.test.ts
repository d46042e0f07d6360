/**
 * Disk and deadline faults for the outputs and the whole scan (issue 14): a full disk (/dev/full),
 * a file-size limit that cuts a write in the middle, a target no one can write (a parent that is
 * a regular file, which holds for root too), a reader that closes standard output, and sources
 * that stall until the scan's deadline. The CLI runs as a child process, bundled once, so exit
 * statuses and the process ending by itself are the real ones.
 */
import { bundleCli, type BundledCli } from '../../__fixtures__/bundled-cli.js'
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals'
import { spawn, type ChildProcess } from 'node:child_process'
import {
  closeSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync
} from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough, Writable } from 'node:stream'
import { buildImage, writeOciArchive } from '../../__fixtures__/image-builder.js'
import { ACQUIRE, memorySource } from '../../__fixtures__/memory-source.js'
import { runGate } from '../../src/engine.js'
import { ConfigurationError } from '../../src/errors.js'
import { writeStdout } from '../../src/files.js'
import { publish } from '../../src/github/publish.js'
import type { ImageSource } from '../../src/image/source.js'
import { silentLogger } from '../../src/log.js'
import { defaultPolicy } from '../../src/policy/defaults.js'
import type { Step } from '../../src/steps/step.js'

const image = buildImage({
  layers: [
    {
      entries: [
        { path: 'etc/' },
        { path: 'etc/passwd', content: 'root:x:0:0::/root:/bin/false\n' },
        { path: 'etc/group', content: 'root:x:0:\n' }
      ]
    }
  ],
  config: { User: '10001:10001', Healthcheck: { Test: ['CMD', '/bin/true'] } }
})

let dir: string
let bundled: BundledCli | undefined
let cli: string
let archive: string
/** The same files, run as root: a failing verdict. */
let rootArchive: string
const children = new Set<ChildProcess>()

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'faults-outputs-'))
  archive = join(dir, 'image.tar')
  writeOciArchive(archive, [{ image }])
  rootArchive = join(dir, 'root.tar')
  writeOciArchive(rootArchive, [
    { image: buildImage({ layers: [{ entries: [{ path: 'etc/' }] }] }) }
  ])
  bundled = await bundleCli('faults-outputs')
  cli = bundled.cli
})

afterEach(() => {
  // Only a test that already failed leaves one running; end it so the suite still ends.
  for (const child of children) child.kill('SIGKILL')
  children.clear()
})

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true })
  await bundled?.remove()
})

interface Ended {
  status: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

/**
 * Runs the CLI with `args` and resolves when it has exited by itself. `stdout` is a file
 * descriptor to write into, or `closed` for a pipe whose reading end is closed at once.
 * `fileSizeBlocks` runs it under `ulimit -f` (512-byte blocks) with SIGXFSZ ignored, so a write
 * past the limit fails with EFBIG in the middle of the file, as a full disk does.
 */
function run(
  args: string[],
  options: { stdout?: number | 'closed'; fileSizeBlocks?: number; pathFirst?: string } = {}
): Promise<Ended> {
  const command =
    options.fileSizeBlocks === undefined
      ? { file: process.execPath, args: [cli, ...args] }
      : {
          file: '/bin/sh',
          args: [
            '-c',
            `ulimit -f ${options.fileSizeBlocks}; trap '' XFSZ; exec "$0" "$@"`,
            process.execPath,
            cli,
            ...args
          ]
        }
  const stdout = typeof options.stdout === 'number' ? options.stdout : 'pipe'
  const child = spawn(command.file, command.args, {
    cwd: dir,
    env: {
      PATH: [options.pathFirst, process.env.PATH ?? '/usr/bin:/bin'].filter(Boolean).join(':'),
      HOME: dir
    },
    stdio: ['ignore', stdout, 'pipe']
  })
  children.add(child)
  const ended: Ended = { status: null, signal: null, stdout: '', stderr: '' }
  if (options.stdout === 'closed') child.stdout!.destroy()
  else child.stdout?.on('data', (chunk: Buffer) => (ended.stdout += chunk.toString()))
  child.stderr!.on('data', (chunk: Buffer) => (ended.stderr += chunk.toString()))
  return new Promise((resolvePromise) =>
    child.on('close', (status, signal) => {
      children.delete(child)
      resolvePromise({ ...ended, status, signal })
    })
  )
}

/** Standard output pointed at /dev/full, as `> /dev/full` does. */
async function withDevFull<T>(fn: (fd: number) => Promise<T>): Promise<T> {
  const fd = openSync('/dev/full', 'w')
  try {
    return await fn(fd)
  } finally {
    closeSync(fd)
  }
}

function leftovers(directory: string): string[] {
  return readdirSync(directory).filter((name) => name.endsWith('.tmp'))
}

describe('writing outputs on a full or unwritable disk', () => {
  it('exits 2 with one sentence when the report printed to standard output hits a full disk', async () => {
    const ended = await withDevFull((fd) => run(['scan', `oci-archive:${archive}`], { stdout: fd }))
    expect(ended).toEqual({
      status: 2,
      signal: null,
      stdout: '',
      stderr:
        'container-gate: standard output cannot be written: the disk is full (ENOSPC); free space or choose another path.\n'
    })
  })

  it('exits 2 when --version is printed to a full disk', async () => {
    const ended = await withDevFull((fd) => run(['--version'], { stdout: fd }))
    expect([ended.status, ended.stderr]).toEqual([
      2,
      'container-gate: standard output cannot be written: the disk is full (ENOSPC); free space or choose another path.\n'
    ])
  })

  it.each([['--output'], ['--report'], ['--sarif'], ['--sbom'], ['--junit']])(
    'exits 2 naming %s when it is written to a full disk',
    async (flag) => {
      const ended = await run(['scan', `oci-archive:${archive}`, flag, '/dev/full'])
      expect([ended.status, ended.signal, ended.stderr]).toEqual([
        2,
        null,
        `container-gate: ${flag} "/dev/full" cannot be written: the disk is full (ENOSPC); free space or choose another path.\n`
      ])
    }
  )

  it('leaves the previous report whole and no temporary file when a write fails halfway', async () => {
    const out = join(dir, 'halfway')
    await mkdir(out)
    const report = join(out, 'report.json')
    writeFileSync(report, '{"previous":true}\n')
    // 1 block = 512 bytes: the report is larger, so its write stops with EFBIG partway.
    const ended = await run(['scan', `oci-archive:${archive}`, '--report', report], {
      fileSizeBlocks: 1
    })
    expect([ended.status, ended.stderr]).toEqual([
      2,
      `container-gate: --report "${report}" cannot be written: the file is larger than this process may write (EFBIG); free space or choose another path.\n`
    ])
    expect(readFileSync(report, 'utf8')).toBe('{"previous":true}\n')
    expect(readdirSync(out)).toEqual(['report.json'])
  })

  it('exits 2 naming the output when its parent is a regular file (unwritable, even for root)', async () => {
    const file = join(dir, 'not-a-directory')
    writeFileSync(file, 'x')
    const target = join(file, 'report.json')
    const ended = await run(['scan', `oci-archive:${archive}`, '--report', target])
    expect([ended.status, ended.stderr]).toEqual([
      2,
      `container-gate: --report "${target}" cannot be written (its directory ${file} cannot be created): a part of its path is a file, not a directory (EEXIST); choose a writable path.\n`
    ])
    expect(leftovers(dir)).toEqual([])
  })

  it('ends quietly with exit 2 when the reader of standard output has gone (EPIPE)', async () => {
    const ended = await run(['scan', `oci-archive:${archive}`, '--format', 'json'], {
      stdout: 'closed'
    })
    expect(ended).toEqual({ status: 2, signal: null, stdout: '', stderr: '' })
  })

  it('exits by itself with 2 when the image does not exist', async () => {
    const missing = join(dir, 'missing.tar')
    const ended = await run(['scan', `oci-archive:${missing}`, '--report', join(dir, 'r.json')])
    expect(ended.status).toBe(2)
    expect(ended.signal).toBeNull()
    expect(ended.stderr).toContain(missing)
    expect(ended.stderr.trim().split('\n')).toHaveLength(1)
    expect(leftovers(dir)).toEqual([])
  })

  it('still exits 1 for a failing verdict once the report is written', async () => {
    const report = join(dir, 'verdict.json')
    const ended = await run([
      'scan',
      `oci-archive:${rootArchive}`,
      '--report',
      report,
      '--steps',
      'identity'
    ])
    expect([ended.status, ended.stderr]).toEqual([1, ''])
    expect(JSON.parse(readFileSync(report, 'utf8'))).toEqual(
      expect.objectContaining({ verdict: 'fail' })
    )
  })
})

describe('writeStdout', () => {
  function failingStream(code: string): Writable {
    return new Writable({
      write(_chunk, _encoding, callback) {
        callback(Object.assign(new Error(`write ${code}`), { code }))
      }
    })
  }

  it.each([
    [
      'ENOSPC',
      'OUTPUT_NOT_WRITTEN',
      'standard output cannot be written: the disk is full (ENOSPC); free space or choose another path.'
    ],
    [
      'EIO',
      'OUTPUT_NOT_WRITTEN',
      'standard output cannot be written: an I/O error (EIO); choose a writable path.'
    ],
    [
      'EPIPE',
      'STDOUT_CLOSED',
      'standard output was closed before the report was written whole (EPIPE).'
    ]
  ])(
    'turns %s into a ConfigurationError and no unhandled error event',
    async (code, kind, message) => {
      const stream = failingStream(code)
      const error = await writeStdout('report\n', stream).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(ConfigurationError)
      expect([(error as ConfigurationError).code, (error as Error).message]).toEqual([
        kind,
        message
      ])
      // A later write only learns that the stream is destroyed; the first cause is still named.
      const later = await writeStdout('more\n', stream).catch((e: unknown) => e)
      expect((later as Error).message).toBe(message)
    }
  )
})

describe('the action outputs', () => {
  const saved = { output: process.env.GITHUB_OUTPUT, summary: process.env.GITHUB_STEP_SUMMARY }
  afterEach(() => {
    for (const [key, value] of [
      ['GITHUB_OUTPUT', saved.output],
      ['GITHUB_STEP_SUMMARY', saved.summary]
    ] as const) {
      if (value === undefined) delete process.env[key]
      else process.env[key] = value
    }
  })

  it.each([
    [
      'GITHUB_OUTPUT',
      'the step outputs file GITHUB_OUTPUT "/dev/full" cannot be written: the disk is full (ENOSPC); free space or choose another path.'
    ],
    [
      'GITHUB_STEP_SUMMARY',
      'the job summary GITHUB_STEP_SUMMARY "/dev/full" cannot be written: the disk is full (ENOSPC); free space or choose another path.'
    ]
  ])('fail with one sentence naming %s on a full disk', async (variable, message) => {
    const { report } = await runGate(
      { image: 'oci:test', policy: defaultPolicy(), acquire: ACQUIRE },
      silentLogger,
      [],
      () => memorySource(image)
    )
    delete process.env.GITHUB_OUTPUT
    delete process.env.GITHUB_STEP_SUMMARY
    process.env[variable] = '/dev/full'
    const env = { [variable]: '/dev/full' }
    const silenced = jestSilence()
    try {
      const error = await publish(report, {
        reportPath: join(dir, 'report.json'),
        comment: false,
        checkRun: false,
        env
      }).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(ConfigurationError)
      expect((error as Error).message).toBe(message)
    } finally {
      silenced()
    }
  })
})

/** Keeps the workflow commands publish prints (annotations) out of the test output. */
function jestSilence(): () => void {
  const write = process.stdout.write.bind(process.stdout)
  process.stdout.write = (() => true) as typeof process.stdout.write
  return () => {
    process.stdout.write = write
  }
}

describe('the whole-scan deadline', () => {
  const request = { image: 'oci:stalled', policy: defaultPolicy(), acquire: ACQUIRE, timeoutMs: 50 }

  function timers(): number {
    return process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length
  }

  it('stops a source that stalls before its first layer and tells it so through the signal', async () => {
    let aborted: unknown
    const stalled: ImageSource = {
      transport: 'oci',
      reference: 'oci:stalled',
      acquire: ({ signal }) =>
        new Promise((_, reject) =>
          signal!.addEventListener('abort', () => {
            aborted = signal!.reason
            reject(signal!.reason as Error)
          })
        )
    }
    const before = timers()
    const error = await runGate(request, silentLogger, [], () => stalled).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConfigurationError)
    expect([(error as ConfigurationError).code, (error as Error).message]).toEqual([
      'SCAN_TIMEOUT',
      'the scan did not finish within 50ms (input "timeout"): it was reading oci:stalled, before its first layer (manifest, config or connection); raise "timeout" or find out why that is slow.'
    ])
    expect(aborted).toBe(error)
    expect(timers()).toBe(before)
  })

  it('names the layer being read and destroys its stream, even for a source that ignores the signal', async () => {
    const blob = new PassThrough()
    blob.write(Buffer.alloc(100))
    let analysis: Promise<unknown> | undefined
    const trickling: ImageSource = {
      transport: 'oci',
      reference: 'oci:stalled',
      acquire: ({ analyzeLayer }) => {
        analysis = analyzeLayer(blob, {
          name: 'layer sha256:abc',
          expectedDigest: image.layers[0]!.digest
        })
        return new Promise(() => undefined)
      }
    }
    const error = await runGate(request, silentLogger, [], () => trickling).catch((e: unknown) => e)
    expect((error as Error).message).toBe(
      'the scan did not finish within 50ms (input "timeout"): it was reading oci:stalled, at layer sha256:abc (0 layers read before); raise "timeout" or find out why that is slow.'
    )
    expect(blob.destroyed).toBe(true)
    await expect(analysis).rejects.toThrow()
  })

  it('names the step that was running and starts no later step', async () => {
    const ran: string[] = []
    const steps: Step[] = [
      {
        id: 'identity',
        title: 'identity',
        run: async () => {
          ran.push('identity')
          // Slower than the deadline, but it does end: the engine must not go on to the next step.
          await new Promise((resolveLater) => setTimeout(resolveLater, 100))
          return { findings: [] }
        }
      },
      {
        id: 'tests',
        title: 'tests',
        run: async () => {
          ran.push('tests')
          return { findings: [] }
        }
      }
    ]
    const error = await runGate({ ...request, image: 'oci:test' }, silentLogger, steps, () =>
      memorySource(image)
    ).catch((e: unknown) => e)
    expect((error as Error).message).toBe(
      'the scan did not finish within 50ms (input "timeout"): it was running step identity on oci:test; raise "timeout" or find out why that is slow.'
    )
    await new Promise((resolveLater) => setTimeout(resolveLater, 150))
    expect(ran).toEqual(['identity'])
  })

  it('clears its timer when the scan ends in time', async () => {
    const before = timers()
    const { report } = await runGate(
      { ...request, image: 'oci:test', timeoutMs: 60_000 },
      silentLogger,
      [],
      () => memorySource(image)
    )
    expect(report.verdict).toBe('pass')
    expect(timers()).toBe(before)
  })

  it('ends the CLI with exit 2 by itself when docker save never answers', async () => {
    // A stand-in docker whose `save` says nothing for longer than the deadline and the grace.
    const bin = join(dir, 'stalled-docker')
    await mkdir(bin, { recursive: true })
    writeFileSync(
      join(bin, 'docker'),
      `#!/bin/sh\nexec '${process.execPath}' -e 'setTimeout(() => {}, 20000)'\n`,
      {
        mode: 0o755
      }
    )
    const ended = await run(['scan', 'docker-daemon:app:1', '--timeout', '1s'], { pathFirst: bin })
    expect([ended.status, ended.signal]).toEqual([2, null])
    // Only the one sentence: docker save itself was stopped, so the exit backstop had nothing to name.
    expect(ended.stderr).toBe(
      'container-gate: the scan did not finish within 1s (input "timeout"): it was reading docker-daemon:app:1, before its first layer (manifest, config or connection); raise "timeout" or find out why that is slow.\n'
    )
  })

  it('refuses a timeout of zero through the CLI: a scan always has a deadline', async () => {
    const ended = await run(['scan', `oci-archive:${archive}`, '--timeout', '0'])
    expect([ended.status, ended.stderr]).toEqual([
      2,
      'container-gate: input "timeout" is "0"; give a duration above zero and at most 24h, such as 90s, 30m, 1h or plain seconds.\n'
    ])
  })
})
