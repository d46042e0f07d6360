/** Writing outputs so that a crash or a bad path never leaves a half-written report. */
import { randomBytes } from 'node:crypto'
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { ConfigurationError } from './errors.js'

/**
 * Writes `content` to a temporary file beside `path`, then renames it into place. A missing
 * parent directory is created; a parent that is a file is a ConfigurationError naming `input`.
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
  const isDirectory = await stat(target).then(
    (s) => s.isDirectory(),
    () => false
  )
  if (isDirectory) {
    throw new ConfigurationError(
      `${input} "${path}" is a directory; name a file.`,
      'BAD_OUTPUT_PATH'
    )
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
