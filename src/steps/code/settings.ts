/**
 * Settings of the `code` step. SARIF files and malware signature lists are read here, while the
 * inputs are parsed: a missing or malformed file is the user's mistake and must stop the gate
 * (exit 2) before the image is read, and this is the one place that runs before the engine.
 */
import { invalidInput, splitList } from '../../input-values.js'
import { readInputFileSync, type InputFile } from '../../files.js'
import type { StepSettings } from '../settings.js'
import { parseSarif, type ImportedResult } from './sarif.js'

export const CODE_SCOPES = ['unowned', 'all'] as const
/** `unowned`: only files no OS package (dpkg, apk, rpm) owns, i.e. the team's own code. */
export type CodeScope = (typeof CODE_SCOPES)[number]

/** A signature list as the user gave it; parsed (and unpacked, for .cvd/.cld) by signatures.ts. */
export interface SignatureFile {
  path: string
  bytes: Buffer
}

export interface CodeSettings {
  /** Which files ELF hardening and static analysis check. Malware matching always checks all. */
  scope: CodeScope
  /** Globs of absolute paths left out of ELF hardening and static analysis. */
  exclude: string[]
  /** Results of external SAST tools, read from the `sarif-import` files. */
  sarifResults: ImportedResult[]
  /** ClamAV hash signature lists (.hdb/.hsb/.hdu/.hsu) or databases (.cvd/.cld). */
  signatureFiles: SignatureFile[]
}

/** Third-party code is composition's business; interpreters' own libraries are not the team's code. */
export const DEFAULT_EXCLUDE = [
  '**/node_modules/**',
  '**/site-packages/**',
  '**/dist-packages/**',
  '**/lib/python[0-9]*/**'
]

/**
 * A SARIF file is parsed whole: 128 MiB is several times what code scanning accepts (10 MB
 * gzipped, 25,000 results a run) and keeps the parse well under 1 GB.
 */
const MAX_SARIF_BYTES = 128 * 1024 * 1024

function readInput(
  name: string,
  path: string,
  limit: Pick<InputFile, 'maxBytes' | 'tooLarge'> = {}
): Buffer {
  return readInputFileSync(path, {
    subject: `input "${name}": ${path}`,
    fix: 'name an existing file.',
    code: 'BAD_INPUT_FILE',
    ...limit
  })
}

function parseScope(value: string): CodeScope {
  const scope = CODE_SCOPES.find((candidate) => candidate === value.toLowerCase())
  if (scope === undefined)
    throw invalidInput('code-scope', value, `use ${CODE_SCOPES.join(' or ')}.`)
  return scope
}

function parseExclude(value: string): string[] {
  const globs = splitList(value)
  const bad = globs.find((glob) => !glob.startsWith('/') && !glob.startsWith('*'))
  if (bad !== undefined) {
    throw invalidInput('code-exclude', bad, 'use globs of absolute paths, e.g. /opt/vendor/**.')
  }
  return globs
}

export const codeSettings: StepSettings<CodeSettings> = {
  inputs: [
    {
      name: 'code-scope',
      default: 'unowned',
      description:
        "Files that ELF hardening and static analysis check: `unowned` (not owned by an OS package: the team's own code) or `all`."
    },
    {
      name: 'code-exclude',
      default: DEFAULT_EXCLUDE.join(','),
      list: true,
      description:
        'Globs of absolute paths that ELF hardening and static analysis skip (third-party libraries by default).'
    },
    {
      name: 'sarif-import',
      list: true,
      description:
        'SARIF 2.1.0 files from CodeQL, Semgrep or any SAST tool whose results the code step gates with the same policy.'
    },
    {
      name: 'malware-signatures',
      list: true,
      description:
        'ClamAV hash signature lists (.hdb, .hsb, .hdu, .hsu: `hash:size:name`) or databases (.cvd, .cld) to match every file against. EICAR is built in.'
    }
  ],
  defaults: () => ({
    scope: 'unowned',
    exclude: [...DEFAULT_EXCLUDE],
    sarifResults: [],
    signatureFiles: []
  }),
  parse: (get, base) => {
    const read = (name: string): string | undefined => {
      const value = get(name)?.trim()
      return value === undefined || value === '' ? undefined : value
    }
    const scope = read('code-scope')
    const exclude = read('code-exclude')
    const sarif = read('sarif-import')
    const signatures = read('malware-signatures')
    return {
      scope: scope === undefined ? base.scope : parseScope(scope),
      exclude: exclude === undefined ? base.exclude : parseExclude(exclude),
      sarifResults:
        sarif === undefined
          ? base.sarifResults
          : splitList(sarif).flatMap((path) =>
              parseSarif(
                readInput('sarif-import', path, {
                  maxBytes: MAX_SARIF_BYTES,
                  tooLarge: 'import fewer or smaller SARIF files.'
                }).toString('utf8'),
                path
              )
            ),
      signatureFiles:
        signatures === undefined
          ? base.signatureFiles
          : splitList(signatures).map((path) => ({
              path,
              bytes: readInput('malware-signatures', path)
            }))
    }
  }
}
