/** Reading input files with errors that name the input; writing outputs so that a crash or a bad path never leaves a half-written report. */
import { randomBytes } from 'node:crypto'
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs'
import { access, mkdir, rename, rm, stat, writeFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { ConfigurationError } from './errors.js'
import { formatSizePair } from './units.js'

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
  /** What to do about a file over maxBytes, when it is not `fix`. */
  tooLarge?: string
}

/** No input file is read whole past this (a ClamAV main.cvd is about 170 MB). */
/**
 * Image blobs and archives are read from files in chunks this large: a sixteenth of the trips
 * through the stream stages of the default 64 KiB (measured: a re-gated image whose base layer
 * comes from the layer cache, only hashed, 0.51 → 0.46 s).
 */
export const READ_CHUNK_BYTES = 1024 * 1024

export const MAX_INPUT_FILE_BYTES = 512 * 1024 * 1024

function checkSize(size: number, file: InputFile): void {
  const maxBytes = file.maxBytes ?? MAX_INPUT_FILE_BYTES
  if (size > maxBytes) {
    throw new ConfigurationError(
      `${file.subject} is ${formatSizePair(size, maxBytes).join(', more than the ')} this input may be; ${file.tooLarge ?? file.fix}`,
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

/**
 * At most `limit + 1` bytes of the file at `path`, read through one handle: more than `limit`
 * means the file is over it, whether its size says so up front (then nothing is read: `size` is
 * that size) or it grows, or it is a pipe or device whose size says nothing. File system errors
 * are thrown as they are.
 */
export function readAtMost(path: string, limit: number): { bytes: Buffer; size: number } {
  const fd = openSync(path, 'r')
  try {
    const size = fstatSync(fd).size
    if (size > limit) return { bytes: Buffer.alloc(0), size }
    // One buffer of the size fstat gives, and one byte more to see a file that grows; doubled
    // while a pipe or a growing file goes on.
    let buffer = Buffer.allocUnsafe(Math.min(limit, size > 0 ? size : FIRST_READ_BYTES) + 1)
    let length = 0
    while (length <= limit) {
      if (length === buffer.length) {
        const larger = Buffer.allocUnsafe(Math.min(limit + 1, buffer.length * 2))
        buffer.copy(larger, 0, 0, length)
        buffer = larger
      }
      const read = readSync(fd, buffer, length, buffer.length - length, null)
      if (read === 0) break
      length += read
    }
    return { bytes: buffer.subarray(0, length), size: length }
  } finally {
    closeSync(fd)
  }
}

/** An input file of at most its `maxBytes`, or a ConfigurationError naming the input. */
function readBounded(path: string, file: InputFile): Buffer {
  let read: { bytes: Buffer; size: number }
  try {
    read = readAtMost(path, file.maxBytes ?? MAX_INPUT_FILE_BYTES)
  } catch (error) {
    throw unreadable(error, file)
  }
  checkSize(read.size, file)
  return read.bytes
}

/** What readAtMost reads first from a file whose size fstat does not tell (a pipe, /proc). */
const FIRST_READ_BYTES = 64 * 1024

/** The text of an input file, or a ConfigurationError naming the input. */
export async function readInputFile(path: string, file: InputFile): Promise<string> {
  return readBounded(path, file).toString('utf8')
}

/** The bytes of an input file, for the synchronous readers of settings; errors as readInputFile. */
export function readInputFileSync(path: string, file: InputFile): Buffer {
  return readBounded(path, file)
}

/** Plain words for the write errors a user can fix; the code stays in the message for searches. */
const WRITE_ERRORS: Record<string, string> = {
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  EFBIG: 'the file is larger than this process may write',
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOTDIR: 'a part of its path is a file, not a directory',
  EEXIST: 'a part of its path is a file, not a directory',
  EIO: 'an I/O error',
  EPIPE: 'the reader closed it'
}

/** The one sentence for an output that cannot be written: names the output, why, and the fix. */
export function outputError(output: string, error: unknown, where?: string): ConfigurationError {
  const code = (error as NodeJS.ErrnoException).code ?? 'error'
  const why = WRITE_ERRORS[code] ?? (code === 'error' ? (error as Error).message : undefined)
  const fix = ['ENOSPC', 'EDQUOT', 'EFBIG'].includes(code)
    ? 'free space or choose another path'
    : 'choose a writable path'
  return new ConfigurationError(
    `${output} cannot be written${where === undefined ? '' : ` (${where})`}: ${why === undefined ? code : code === 'error' ? why : `${why} (${code})`}; ${fix}.`,
    'OUTPUT_NOT_WRITTEN',
    { cause: error }
  )
}

/**
 * What writeFileAtomic checks first, callable before a long scan so a bad output path fails in a
 * second: the directory exists or is created, the path is not a directory, and a new or regular
 * file's directory is writable (the rename needs that). Returns what is at the path now.
 */
export async function checkOutputPath(path: string, input: string): Promise<Stats | undefined> {
  const target = resolve(path)
  const parent = dirname(target)
  const output = `${input} "${path}"`
  try {
    await mkdir(parent, { recursive: true })
  } catch (error) {
    throw outputError(output, error, `its directory ${parent} cannot be created`)
  }
  const existing = await stat(target).catch(() => undefined)
  if (existing?.isDirectory() === true) {
    throw new ConfigurationError(`${output} is a directory; name a file.`, 'BAD_OUTPUT_PATH')
  }
  if (existing === undefined || existing.isFile()) {
    await access(parent, constants.W_OK).catch((error: unknown) => {
      throw outputError(output, error, `its directory ${parent} is not writable`)
    })
  }
  return existing
}

/**
 * Writes `content` to a temporary file beside `path`, then renames it into place, so a failed
 * write (a full disk) leaves the old file or none, never a part. A missing parent directory is
 * created. A device or pipe (`/dev/null`, `/dev/stdout`) is written into directly. Every failure
 * is a ConfigurationError naming `input` (exit 2).
 */
export async function writeFileAtomic(path: string, content: string, input: string): Promise<void> {
  const target = resolve(path)
  const output = `${input} "${path}"`
  const existing = await checkOutputPath(path, input)
  if (existing !== undefined && !existing.isFile()) {
    // /dev/null, /dev/stdout, a named pipe: write into it; renaming over it would replace it.
    await writeFile(target, content).catch((error: unknown) => {
      throw outputError(output, error)
    })
    return
  }
  const temporary = `${target}.${randomBytes(6).toString('hex')}.tmp`
  try {
    await writeFile(temporary, content)
    await rename(temporary, target)
  } catch (error) {
    // Best effort: on a read-only or vanished directory the removal fails too, and the write's
    // own error is the one to report.
    await rm(temporary, { force: true }).catch(() => undefined)
    throw outputError(output, error)
  }
}

/** The first write error of each stream written through writeStdout, kept by its listener. */
const writeErrors = new WeakMap<NodeJS.WritableStream, Error | undefined>()

/**
 * Keeps the first write error of `stream` for writeStdout, and keeps Node from turning the
 * 'error' event that follows a failed write into a crash with exit 1. Call it before anything
 * writes to the stream without a callback (runCli does, for the custody commands).
 */
export function watchWrites(stream: NodeJS.WritableStream = process.stdout): void {
  if (writeErrors.has(stream)) return
  writeErrors.set(stream, undefined)
  stream.on('error', (error: Error) => {
    if (writeErrors.get(stream) === undefined) writeErrors.set(stream, error)
  })
}

/**
 * Writes `text` to standard output and resolves once the stream has taken it (the write
 * callback), so the caller sets the exit status only after the report is out. A failed write
 * (`> /dev/full`, a closed pipe), now or earlier, rejects with a ConfigurationError naming
 * standard output; its `code` is `STDOUT_CLOSED` for EPIPE, which the CLI ends quietly (README,
 * exit status).
 */
export function writeStdout(
  text: string,
  stream: NodeJS.WritableStream = process.stdout
): Promise<void> {
  watchWrites(stream)
  return new Promise((resolvePromise, reject) => {
    stream.write(text, (error?: Error | null) => {
      if (error === undefined || error === null) return resolvePromise()
      const first = writeErrors.get(stream) ?? error
      if ((first as NodeJS.ErrnoException).code === 'EPIPE') {
        reject(
          new ConfigurationError(
            'standard output was closed before the report was written whole (EPIPE).',
            'STDOUT_CLOSED',
            { cause: first }
          )
        )
      } else reject(outputError('standard output', first))
    })
  })
}
