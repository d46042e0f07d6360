/**
 * `container-gate drift TARGET --manifest FILE`: what changed since an earlier stage's content
 * manifest. TARGET is an image (any transport) or `fs-archive:PATH` (e.g. `docker export`).
 */
import { readFile } from 'node:fs/promises'
import { ConfigurationError } from '../errors.js'
import { isSeverity, severityRank, type Severity } from '../findings.js'
import { parseContentManifest } from '../custody/content-manifest.js'
import {
  commandHelp,
  commandLogger,
  listFlag,
  parseCommandArgs,
  imageAccess,
  runCommand,
  stringFlag,
  type CommandIo
} from './command-io.js'
import { compareManifests, DEFAULT_EXPECTED_CHANGES, driftFindings } from '../custody/drift.js'
import { filesystemArchiveManifest, FS_ARCHIVE_PREFIX } from '../custody/fs-archive.js'
import { imageManifest } from './manifest.js'

const USAGE =
  'container-gate drift TARGET --manifest FILE [--expected GLOB]... [--format table|json] [--fail-on SEVERITY]'

export async function driftCommand(
  args: string[],
  env: NodeJS.ProcessEnv,
  io: CommandIo
): Promise<number> {
  return runCommand(io, async () => {
    const { values, positionals, help } = parseCommandArgs('drift', USAGE, args, {
      manifest: { type: 'string' },
      expected: { type: 'string', multiple: true },
      format: { type: 'string' },
      'fail-on': { type: 'string' }
    })
    if (help) {
      io.stdout(commandHelp(USAGE))
      return 0
    }
    const manifestPath = stringFlag(values, 'manifest')
    if (positionals.length !== 1 || manifestPath === undefined) {
      throw new ConfigurationError(`drift needs one TARGET and --manifest FILE; usage: ${USAGE}`)
    }
    const format = stringFlag(values, 'format') ?? 'table'
    if (format !== 'table' && format !== 'json') {
      throw new ConfigurationError(
        `--format "${format}" is not supported by drift; use table or json.`
      )
    }
    const failOn = stringFlag(values, 'fail-on') ?? 'low'
    if (!isSeverity(failOn))
      throw new ConfigurationError(
        `--fail-on "${failOn}" is not a severity; use critical, high, medium, low or info.`
      )
    let text: string
    try {
      text = await readFile(manifestPath, 'utf8')
    } catch {
      throw new ConfigurationError(
        `--manifest "${manifestPath}" cannot be read; give the file "container-gate manifest IMAGE --output FILE" wrote.`
      )
    }
    const baseline = parseContentManifest(text, `--manifest "${manifestPath}"`)
    const target = positionals[0]!
    const logger = commandLogger(io, values.verbose === true)
    const current = target.startsWith(FS_ARCHIVE_PREFIX)
      ? await filesystemArchiveManifest(target.slice(FS_ARCHIVE_PREFIX.length))
      : await imageManifest(target, imageAccess(values, env), logger)
    const expected = listFlag(values, 'expected')
    const changes = compareManifests(
      baseline,
      current,
      expected.length > 0 ? expected : DEFAULT_EXPECTED_CHANGES
    )
    const findings = driftFindings(changes, baseline.contentDigest)
    if (format === 'json') {
      io.stdout(
        `${JSON.stringify(
          {
            baseline: baseline.contentDigest,
            target: { reference: target, contentDigest: current.contentDigest },
            changes: changes.map((change, i) => ({
              kind: change.kind,
              path: change.path,
              rule: findings[i]!.rule,
              severity: findings[i]!.severity,
              differences: change.differences
            }))
          },
          null,
          2
        )}\n`
      )
    } else {
      for (const finding of findings)
        io.stdout(`${finding.severity.padEnd(8)} ${finding.rule.padEnd(30)} ${finding.subject}\n`)
      io.stdout(
        changes.length === 0
          ? `no drift: ${target} matches ${baseline.contentDigest}\n`
          : `${changes.length} unexpected change(s) in ${target} since ${baseline.contentDigest}\n`
      )
    }
    const threshold = severityRank(failOn as Severity)
    return findings.some((finding) => severityRank(finding.severity) >= threshold) ? 1 : 0
  })
}
