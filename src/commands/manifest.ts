/** `container-gate manifest IMAGE [--output FILE] [--statement FILE]`: the content manifest of an image. */
import { runGate } from '../engine.js'
import { ConfigurationError } from '../errors.js'
import { writeFileAtomic } from '../files.js'
import { serializeContentManifest } from '../custody/content-manifest.js'
import { canonicalJson } from '../custody/canonical.js'
import {
  commandLogger,
  parseCommandArgs,
  imageAccess,
  runCommand,
  stringFlag,
  type CommandIo
} from '../custody/command-io.js'
import { registryRepository } from '../custody/image-signatures.js'
import { CONTENT_MANIFEST_PREDICATE, imageStatement } from '../custody/statement.js'
import { defaultPolicy } from '../policy/defaults.js'
import { custodyStep } from '../steps/custody/index.js'
import type { ContentManifest } from '../steps/custody/model.js'
import type { RegistryAccess } from '../steps/step.js'
import type { Platform } from '../image/types.js'
import type { Logger } from '../log.js'

const USAGE = 'container-gate manifest IMAGE [--output FILE] [--statement FILE]'

/** Reads an image once (every blob verified) and returns its content manifest. */
export async function imageManifest(
  image: string,
  access: RegistryAccess & { platform: Platform },
  logger: Logger
): Promise<ContentManifest> {
  const { artifacts } = await runGate({ image, policy: defaultPolicy(), acquire: access }, logger, [
    custodyStep
  ])
  if (artifacts.contentManifest === undefined) {
    throw new Error(`the custody step produced no content manifest for ${image}`)
  }
  return artifacts.contentManifest
}

export async function manifestCommand(
  args: string[],
  env: NodeJS.ProcessEnv,
  io: CommandIo
): Promise<number> {
  return runCommand(io, async () => {
    const { values, positionals } = parseCommandArgs('manifest', USAGE, args, {
      output: { type: 'string' },
      statement: { type: 'string' }
    })
    if (positionals.length !== 1)
      throw new ConfigurationError(`manifest takes exactly one IMAGE; usage: ${USAGE}`)
    const image = positionals[0]!
    const logger = commandLogger(io, values.verbose === true)
    const manifest = await imageManifest(image, imageAccess(values, env), logger)
    const text = serializeContentManifest(manifest)
    const output = stringFlag(values, 'output')
    if (output === undefined) io.stdout(text)
    else await writeFileAtomic(output, text, '--output')
    const statementPath = stringFlag(values, 'statement')
    if (statementPath !== undefined) {
      const subject = registryRepository(image) ?? image
      const statement = imageStatement(
        subject,
        manifest.source.digest ?? '',
        CONTENT_MANIFEST_PREDICATE,
        manifest
      )
      await writeFileAtomic(statementPath, `${canonicalJson(statement)}\n`, '--statement')
    }
    io.stderr(
      `content manifest ${manifest.contentDigest}: ${manifest.entries.length} paths of ${image} (${manifest.source.digest ?? ''})\n`
    )
    return 0
  })
}
