/** `container-gate manifest IMAGE [--output FILE] [--statement FILE]`: the content manifest of an image. */
import { runGate } from '../engine.js'
import { ConfigurationError } from '../errors.js'
import { checkOutputPath, writeFileAtomic } from '../files.js'
import {
  contentHashesSubscription,
  manifestOfImage,
  serializeContentManifest
} from '../custody/content-manifest.js'
import { canonicalJson } from '../custody/canonical.js'
import {
  commandHelp,
  commandLogger,
  parseCommandArgs,
  imageAccess,
  runCommand,
  stringFlag,
  type CommandIo
} from './command-io.js'
import { registryRepository } from '../custody/image-signatures.js'
import { CONTENT_MANIFEST_PREDICATE, imageStatement } from '../custody/statement.js'
import { defaultPolicy } from '../policy/defaults.js'
import type { ContentManifest } from '../custody/model.js'
import type { RegistryAccess } from '../image/source.js'
import type { Step } from '../steps/step.js'
import type { Platform } from '../image/types.js'
import type { Logger } from '../log.js'

const USAGE = 'container-gate manifest IMAGE [--output FILE] [--statement FILE]'

/**
 * Only the custody step's manifest: the drift baseline and signature checks belong to a scan's
 * policy, and the default policy these commands run with sets neither.
 */
const contentManifestStep: Step = {
  id: 'custody',
  title: 'Signing and chain of custody',
  needs: () => ({ subscriptions: [contentHashesSubscription] }),
  run: ({ image }) =>
    Promise.resolve({ findings: [], artifacts: { contentManifest: manifestOfImage(image) } })
}

/** Reads an image once (every blob verified) and returns its content manifest. */
export async function imageManifest(
  image: string,
  access: RegistryAccess & { platform: Platform },
  logger: Logger
): Promise<ContentManifest> {
  const { artifacts } = await runGate({ image, policy: defaultPolicy(), acquire: access }, logger, [
    contentManifestStep
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
    const { values, positionals, help } = parseCommandArgs('manifest', USAGE, args, {
      output: { type: 'string' },
      statement: { type: 'string' }
    })
    if (help) {
      io.stdout(commandHelp(USAGE))
      return 0
    }
    if (positionals.length !== 1)
      throw new ConfigurationError(`manifest takes exactly one IMAGE; usage: ${USAGE}`)
    const image = positionals[0]!
    const output = stringFlag(values, 'output')
    const statementPath = stringFlag(values, 'statement')
    // A path that cannot take its output fails now, not after reading the whole image.
    if (output !== undefined) await checkOutputPath(output, '--output')
    if (statementPath !== undefined) await checkOutputPath(statementPath, '--statement')
    const logger = commandLogger(io, values.verbose === true)
    const manifest = await imageManifest(image, imageAccess(values, env), logger)
    const text = serializeContentManifest(manifest)
    if (output === undefined) io.stdout(text)
    else await writeFileAtomic(output, text, '--output')
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
