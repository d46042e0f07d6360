/**
 * ELF files larger than what the code step keeps of one file (MAX_ELF_BYTES) get checksec's
 * verdicts from one pass over their bytes. gcc writes an 80 MiB array into the file in well under
 * a second; the files live in a temporary directory for the length of the test.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { createReadStream, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { asChecksec, checksec } from '../../../__fixtures__/checksec.js'
import { missingTools, tempDir } from '../../../__fixtures__/registry.js'
import type { TarEntry } from '../../../src/image/types.js'
import { ElfStream, type ElfHardening } from '../../../src/steps/code/elf.js'
import { emptySignatureDb } from '../../../src/steps/code/signatures.js'
import { codeSubscription, MAX_ELF_BYTES } from '../../../src/steps/code/visitor.js'

const missing = missingTools(['checksec', 'gcc'])
const describeWithTools = missing === undefined ? describe : describe.skip
if (missing !== undefined) {
  console.warn(
    `big ELF parity tests ${missing.replace('checksec', 'checksec (apt-get install -y checksec gcc)')}`
  )
}

const BIG = 80 << 20

/** Name → [C source, gcc arguments]: the array lands in .data (RW PT_LOAD) or .rodata (R). */
const BUILDS: Record<string, [string, string[]]> = {
  'pie-data-fortified': [
    `#include <string.h>
char big[${BIG}] = {1};
int main(int argc, char **argv) {
  char buffer[16];
  strcpy(buffer, argv[0]);
  return big[argc] + buffer[1];
}
`,
    ['-O2', '-D_FORTIFY_SOURCE=2', '-fstack-protector-strong', '-Wl,-z,relro,-z,now']
  ],
  // Static: the canary is proven only by .strtab, near the end of the file.
  'static-rodata': [
    `#include <string.h>
const char big[${BIG}] = {1};
int main(int argc, char **argv) {
  char buffer[16];
  strcpy(buffer, argv[0]);
  return big[argc] + buffer[1];
}
`,
    ['-static', '-fstack-protector-all']
  ]
}

function entry(path: string, size: number): TarEntry {
  return { path, type: 'file', mode: 0o755, uid: 0, gid: 0, size }
}

/** The file through the code step's layer visitor, in the 64 KiB chunks of a file stream. */
async function visitFile(file: string): Promise<ElfHardening | string | undefined> {
  const visitor = codeSubscription(
    {
      signatures: emptySignatureDb(),
      ignoredSignatureFiles: 0,
      malware: false,
      elf: true,
      sourcePatterns: [],
      exclude: []
    },
    ''
  ).createVisitor()
  const sink = visitor.onEntry(entry('/app/big', statSync(file).size))
  for await (const chunk of createReadStream(file)) sink?.write(chunk as Buffer)
  sink?.end()
  const [result] = visitor.finish().files
  return result?.elf ?? result?.elfUnread
}

describeWithTools('ELF files larger than the bytes kept of one file', () => {
  let dir: string
  const built = new Map<string, string>()

  beforeAll(() => {
    dir = tempDir('big-elf')
    for (const [name, [source, flags]] of Object.entries(BUILDS)) {
      writeFileSync(join(dir, `${name}.c`), source)
      const out = join(dir, name)
      execFileSync('gcc', [...flags, '-o', out, join(dir, `${name}.c`)])
      built.set(name, out)
    }
  }, 60_000)

  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it.each(Object.keys(BUILDS))(
    'gives %s the verdicts of checksec --file',
    async (name) => {
      const file = built.get(name)!
      expect(statSync(file).size).toBeGreaterThan(MAX_ELF_BYTES)
      const elf = await visitFile(file)
      if (typeof elf !== 'object') throw new Error(`no verdict for ${name}: ${elf}`)
      expect(asChecksec(elf)).toEqual(checksec(file))
    },
    30_000
  )

  it('reads the hardening the flags asked for', async () => {
    expect(await visitFile(built.get('pie-data-fortified')!)).toMatchObject({
      type: 'dyn',
      pie: 'yes',
      relro: 'full',
      canary: true,
      fortifySource: true,
      glibc: true
    })
    expect(await visitFile(built.get('static-rodata')!)).toMatchObject({
      type: 'exec',
      pie: 'no',
      canary: true,
      symbols: true,
      glibc: false
    })
  }, 30_000)

  it('keeps a few hundred KiB of an 80 MiB file, not the file', async () => {
    for (const file of built.values()) {
      const stream = new ElfStream(statSync(file).size)
      for await (const chunk of createReadStream(file)) stream.write(chunk as Buffer)
      expect(stream.check()).toHaveProperty('elf')
      expect(stream.keptBytes).toBeLessThan(2 * 1024 * 1024)
    }
  }, 30_000)
})
