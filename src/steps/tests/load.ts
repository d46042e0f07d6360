/**
 * Reads the files the `structure-tests` input names (paths or globs, relative to the working
 * directory). Called while the inputs are parsed, so a missing or malformed file stops the gate
 * with exit 2 before any image is read.
 */
import { readdirSync } from 'node:fs'
import { isAbsolute, join, relative, resolve, sep } from 'node:path'
import { minimatch } from 'minimatch'
import { ConfigurationError } from '../../errors.js'
import { readInputFileSync } from '../../files.js'
import { MAX_YAML_BYTES } from '../../policy/yaml.js'
import { parseStructureTests } from './parse.js'
import { isGlob, type StructureTestSuite } from './suite.js'

const INPUT = 'structure-tests'

/** The directory a glob starts in: its leading segments without magic. */
function globBase(pattern: string): string {
  const segments = pattern.split('/')
  const first = segments.findIndex((segment) => isGlob(segment))
  const base = segments.slice(0, first).join('/')
  return base === '' ? (pattern.startsWith('/') ? '/' : '.') : base
}

function expandGlob(pattern: string, cwd: string): string[] {
  const base = globBase(pattern)
  let names: string[]
  try {
    names = readdirSync(resolve(cwd, base), { recursive: true, encoding: 'utf8' })
  } catch {
    names = []
  }
  const absolute = isAbsolute(pattern)
  return names
    .map((name) => join(base, name).split(sep).join('/'))
    .filter((path) => minimatch(path, pattern, { dot: false }))
    .map((path) => (absolute ? path : relative('.', path) || path))
    .sort()
}

function readSuite(file: string, cwd: string): StructureTestSuite {
  const text = readInputFileSync(resolve(cwd, file), {
    subject: `input "${INPUT}" names "${file}", which`,
    fix: 'check its permissions.',
    code: 'STRUCTURE_TESTS',
    maxBytes: MAX_YAML_BYTES,
    tooLarge: 'shorten it.',
    missing: `input "${INPUT}" names "${file}", which does not exist; give the path of a container-structure-test YAML file (relative to ${cwd}).`
  })
  return parseStructureTests(text.toString('utf8'), file)
}

/** Every file the patterns name, once each, in the order given (glob matches sorted). */
export function loadStructureTests(patterns: string[], cwd = process.cwd()): StructureTestSuite[] {
  const files: string[] = []
  for (const pattern of patterns) {
    const matches = isGlob(pattern) ? expandGlob(pattern, cwd) : [pattern]
    if (matches.length === 0) {
      throw new ConfigurationError(
        `input "${INPUT}" pattern "${pattern}" matches no file in ${cwd}; fix the glob or remove it.`,
        'STRUCTURE_TESTS'
      )
    }
    for (const file of matches) if (!files.includes(file)) files.push(file)
  }
  return files.map((file) => readSuite(file, cwd))
}
