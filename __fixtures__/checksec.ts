/** checksec's verdicts, and ours in its JSON vocabulary, for tests that compare the two. */
import { execFileSync } from 'node:child_process'
import type { ElfHardening } from '../src/steps/code/elf.js'

export type ChecksecVerdict = Record<
  | 'relro'
  | 'canary'
  | 'nx'
  | 'pie'
  | 'rpath'
  | 'runpath'
  | 'symbols'
  | 'fortify_source'
  | 'fortified'
  | 'fortify-able',
  string
>

export function checksec(file: string): ChecksecVerdict {
  const out = execFileSync('checksec', [`--file=${file}`, '--output=json'], { encoding: 'utf8' })
  return (JSON.parse(out) as Record<string, ChecksecVerdict>)[file]!
}

/** Our verdicts in checksec's JSON vocabulary. */
export function asChecksec(elf: ElfHardening): ChecksecVerdict {
  const yes = (value: boolean): string => (value ? 'yes' : 'no')
  return {
    relro: elf.relro,
    canary: yes(elf.canary),
    nx: yes(elf.nx),
    pie: elf.pie,
    rpath: yes(elf.rpath !== undefined),
    runpath: yes(elf.runpath !== undefined),
    symbols: yes(elf.symbols),
    fortify_source: yes(elf.fortifySource),
    fortified: String(elf.fortified),
    'fortify-able': String(elf.fortifiable)
  }
}
