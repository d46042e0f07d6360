/** Reading input files with errors that name the input; writing outputs so that a crash or a bad path never leaves a half-written report. */
import { randomBytes } from 'node:crypto'
import { readFileSync, statSync } from 'node:fs'
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { ConfigurationError } from './errors.js'
import { formatBytes } from './units.js'

/** How an input file that cannot be read is reported: "SUBJECT cannot be read (CODE); FIX". */
export interface InputFile {
  /** The input and the path, e.g. `input "dockerfile" Dockerfile`. */
  subject: string
  /** The sentence that says what to give instead, e.g. `check the path.` */
  fix: string
  /** The ConfigurationError's code. */
  code: string
  /** The whole message for a file that does not exist, when it says more than the general one. */
  missing?: string
  /** Larger files are refused before they are read; default MAX_INPUT_FILE_BYTES. */
  maxBytes?: number
}

/** No input file is read whole past this (a ClamAV main.cvd is about 170 MB). */
export const MAX_INPUT_FILE_BYTES = 512 * 1024 * 1024

function checkSize(size: number, file: InputFile): void {
  const maxBytes = file.maxBytes ?? MAX_INPUT_FILE_BYTES
  if (size > maxBytes) {
    throw new ConfigurationError(
      `${file.subject} is ${formatBytes(size)}, more than the ${formatBytes(maxBytes)} this input may be; ${file.fix}`,
      file.code
    )
  }
}

function unreadable(error: unknown, file: InputFile): ConfigurationError {
  const code = (error as NodeJS.ErrnoException).code
  return new ConfigurationError(
    code === 'ENOENT' && file.missing !== undefined
      ? file.missing
      : `${file.subject} cannot be read (${code ?? 'error'}); ${file.fix}`,
    file.code,
    { cause: error }
  )
}

/** The text of an input file, or a ConfigurationError naming the input. */
export async function readInputFile(path: string, file: InputFile): Promise<string> {
  let size: number
  try {
    size = (await stat(path)).size
  } catch (error) {
    throw unreadable(error, file)
  }
  checkSize(size, file)
  try {
    return await readFile(path, 'utf8')
  } catch (error) {
    throw unreadable(error, file)
  }
}

/** The bytes of an input file, for the synchronous readers of settings; errors as readInputFile. */
export function readInputFileSync(path: string, file: InputFile): Buffer {
  let size: number
  try {
    size = statSync(path).size
  } catch (error) {
    throw unreadable(error, file)
  }
  checkSize(size, file)
  try {
    return readFileSync(path)
  } catch (error) {
    throw unreadable(error, file)
  }
}

/**
 * Writes `content` to a temporary file beside `path`, then renames it into place. A missing
 * parent directory is created; a parent that is a file is a ConfigurationError naming `input`.
 * A device or pipe (`/dev/null`, `/dev/stdout`) is written into directly.
 */
export async function writeFileAtomic(path: string, content: string, input: string): Promise<void> {
  const target = resolve(path)
  const parent = dirname(target)
  try {
    await mkdir(parent, { recursive: true })
  } catch (error) {
    throw new ConfigurationError(
      `${input} "${path}" cannot be written: its directory ${parent} cannot be created (${(error as NodeJS.ErrnoException).code ?? 'error'}).`,
      'BAD_OUTPUT_PATH',
      { cause: error }
    )
  }
  const existing = await stat(target).catch(() => undefined)
  if (existing?.isDirectory() === true) {
    throw new ConfigurationError(
      `${input} "${path}" is a directory; name a file.`,
      'BAD_OUTPUT_PATH'
    )
  }
  if (existing !== undefined && !existing.isFile()) {
    // /dev/null, /dev/stdout, a named pipe: write into it; renaming over it would replace it.
    await writeFile(target, content).catch((error: NodeJS.ErrnoException) => {
      throw new ConfigurationError(
        `${input} "${path}" cannot be written (${error.code ?? 'error'}).`,
        'BAD_OUTPUT_PATH',
        { cause: error }
      )
    })
    return
  }
  const temporary = `${target}.${randomBytes(6).toString('hex')}.tmp`
  try {
    await writeFile(temporary, content)
    await rename(temporary, target)
  } catch (error) {
    await rm(temporary, { force: true })
    throw new ConfigurationError(
      `${input} "${path}" cannot be written (${(error as NodeJS.ErrnoException).code ?? 'error'}).`,
      'BAD_OUTPUT_PATH',
      { cause: error }
    )
  }
}
