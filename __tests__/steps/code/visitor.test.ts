import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { combineLayers } from '../../../src/image/filesystem.js'
import type { TarEntry } from '../../../src/image/types.js'
import { silentLogger } from '../../../src/log.js'
import { defaultPolicy } from '../../../src/policy/defaults.js'
import { checkElf } from '../../../src/steps/code/elf.js'
import { codeStep } from '../../../src/steps/code/index.js'
import { emptySignatureDb } from '../../../src/steps/code/signatures.js'
import { SOURCE_PATTERNS } from '../../../src/steps/code/source-rules.js'
import { codeSubscription, type CodeLayerResult } from '../../../src/steps/code/visitor.js'
import type { ImageView } from '../../../src/steps/step.js'

function entry(path: string, size: number): TarEntry {
  return { path, type: 'file', mode: 0o755, uid: 0, gid: 0, size }
}

/** Feeds files to a fresh visitor in chunks of `chunk` bytes, as the layer pass does. */
function visit(
  files: Array<[string, Buffer]>,
  chunk: number,
  maxElfBytes?: number
): CodeLayerResult {
  const visitor = codeSubscription(
    {
      signatures: emptySignatureDb(),
      ignoredSignatureFiles: 0,
      malware: true,
      elf: true,
      sourcePatterns: SOURCE_PATTERNS,
      exclude: [],
      ...(maxElfBytes === undefined ? {} : { maxElfBytes })
    },
    ''
  ).createVisitor()
  for (const [path, content] of files) {
    const sink = visitor.onEntry(entry(path, content.length))
    for (let at = 0; at < content.length; at += chunk) sink?.write(content.subarray(at, at + chunk))
    sink?.end()
  }
  return visitor.finish()
}

describe('code layer visitor', () => {
  const ls = readFileSync('/usr/bin/ls')

  it.each([1, 7, 255, 256, 65536])(
    'gives the same verdicts whatever the chunk size (%d)',
    (chunk) => {
      const script = Buffer.from('#!/bin/sh\ncurl -k https://x.test\n')
      const { files } = visit(
        [
          ['/bin/ls', ls],
          ['/run', script]
        ],
        chunk
      )
      expect(files.map((f) => [f.path, f.elf?.relro, f.source?.map((m) => m.rule)])).toEqual([
        ['/bin/ls', checkElf(ls)?.relro, undefined],
        ['/run', undefined, ['tls-verification-disabled']]
      ])
    }
  )

  it('says which bytes it could not keep when its budget is too small for a verdict', () => {
    // 1 KiB holds the ELF header and program headers of ls, not its section headers.
    const shoff = Number(ls.readBigUInt64LE(40))
    const shsize = ls.readUInt16LE(58) * ls.readUInt16LE(60)
    const { files } = visit([['/bin/ls', ls]], 65536, 1024)
    expect(files).toEqual([
      {
        path: '/bin/ls',
        elfUnread: `it is an ELF file of ${ls.length} bytes and its section headers (${shsize} bytes at offset ${shoff}) streamed past without being kept (one pass keeps the first 1048576 bytes, the program and section headers, the dynamic segment and the tables it names, up to 33554432 bytes of the first PT_LOAD segment and the last 29360128 bytes outside the loaded segments, at most 1024 bytes in all)`
      }
    ])
  })

  it('keeps only the last entry for a path within one layer', () => {
    const { files } = visit(
      [
        ['/app/run.sh', Buffer.from('chmod 777 /\n')],
        ['/app/run.sh', Buffer.from('echo fine\n')]
      ],
      64
    )
    expect(files).toEqual([])
  })
})

describe('code step', () => {
  it('fails rather than passes when its layer pass did not run', async () => {
    const image: ImageView = {
      reference: 'x',
      digest: 'sha256:x',
      platform: { os: 'linux', architecture: 'amd64' },
      config: { architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } },
      configDigest: 'sha256:c',
      layers: [{ digest: 'sha256:l', diffId: 'sha256:d', size: 1, mediaType: 'x' }],
      fs: combineLayers([{ entries: [], whiteouts: [], contents: new Map() }]),
      visits: () => [undefined],
      layerChanges: () => [{ entries: [], whiteouts: [] }]
    }
    await expect(
      codeStep.run({ image, policy: defaultPolicy(), logger: silentLogger })
    ).rejects.toThrow("the code step's layer pass did not run")
  })
})
