/** Writing outputs so that a crash or a bad path never leaves a half-written report. */
import { randomBytes } from 'node:crypto'
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { ConfigurationError } from './errors.js'

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
