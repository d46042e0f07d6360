/**
 * SARIF 2.1.0 (OASIS, https://docs.oasis-open.org/sarif/sarif/v2.1.0/) for GitHub code scanning:
 * one reportingDescriptor per rule id with help text and `security-severity`, results on the
 * repository file an imported result names or the Dockerfile line the finding was mapped to (else
 * on the path in the image, with a logical location naming it), our fingerprints as
 * `partialFingerprints`, and an `automationDetails.id` that names the image so the alerts of
 * several images do not close each other. Tested against the official schema in
 * __fixtures__/sarif/.
 */
import { isBlocking, SEVERITIES, shownPath, type GatedFinding, type Severity } from '../findings.js'
import { escapeMarkdown, escapeSarifText } from './escape.js'
import type { GateReport } from './model.js'

/** GitHub maps `security-severity` to critical ≥ 9.0, high ≥ 7.0, medium ≥ 4.0, low < 4.0. */
const SECURITY_SEVERITY: Record<Severity, string> = {
  critical: '9.5',
  high: '8.0',
  medium: '5.5',
  low: '2.0',
  info: '0.0'
}

/** The `id` of the official schema (OASIS SARIF 2.1.0 Errata 01) the output is tested against. */
export const SCHEMA_URI =
  'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json'

const INFORMATION_URI = 'https://github.com/container-gate/container-gate'
const RULES_URI = `${INFORMATION_URI}/blob/main/docs/rules`

/** Our fingerprint's name in `partialFingerprints` (SARIF §3.27.17: versioned, tool-specific). */
export const FINGERPRINT_KEY = 'containerGate/v1'

type Level = 'error' | 'warning' | 'note'

export interface SarifOptions {
  /**
   * Distinguishes this image's analysis from others in the same repository; default the image
   * name without tag or digest.
   */
  category?: string
}

/**
 * The image's name without transport, tag or digest: `ghcr.io/org/app:1.2` → `ghcr.io/org/app`,
 * `oci-archive:/tmp/app.tar:latest` → `app`.
 */
export function imageName(reference: string): string {
  const transport = /^(docker-archive|oci-archive|oci|docker-daemon|docker):(?:\/\/)?/.exec(
    reference
  )
  const rest = reference.slice(transport?.[0].length ?? 0).replace(/@sha256:[0-9a-f]+$/, '')
  if (transport !== null && transport[1] !== 'docker' && transport[1] !== 'docker-daemon') {
    // PATH[:REF]: the file or directory name, without the reference and the extension.
    const file = rest.split('/').filter(Boolean).at(-1) ?? ''
    return file.split(':')[0]!.replace(/\.(tar|tgz|tar\.gz)$/, '') || 'image'
  }
  // A tag follows the last colon after the last slash (a registry port precedes a slash).
  return rest.replace(/:[^/:]+$/, '')
}

function level(finding: GatedFinding): Level {
  if (isBlocking(finding)) return 'error'
  return finding.severity === 'info' ? 'note' : 'warning'
}

function helpFor(findings: GatedFinding[], rule: string): { text: string; markdown: string } {
  const example = findings.find((finding) => finding.detail !== undefined) ?? findings[0]!
  const text = example.detail ?? example.title
  const detail = /[.!?]$/.test(text) ? text : `${text}.`
  const step = rule.split('/')[0]!
  const link = `${RULES_URI}/${step}.md`
  return {
    text: `${escapeSarifText(detail)} See ${link}.`,
    markdown: `${escapeMarkdown(detail)}\n\n[${escapeMarkdown(rule)}](${link})`
  }
}

function ruleName(rule: string): string {
  return rule
    .split(/[/-]/)
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('')
}

/** Where relative URIs point (SARIF §3.14.14): the repository, and the scanned image. */
const SRCROOT = '%SRCROOT%'
const IMAGEROOT = 'IMAGEROOT'
const IMAGELAYOUT = 'IMAGELAYOUT'

/**
 * A relative URI reference (RFC 3986 §4.2) for a path: each segment percent-encoded except for
 * the characters a path segment may hold; `:` is encoded too, so no first segment reads as a scheme.
 */
function uriPath(path: string): string {
  return path
    .split('/')
    .filter((segment) => segment !== '' && segment !== '.')
    .map((segment) =>
      segment.replace(/[^A-Za-z0-9\-._~!$&'()*+,;=@]/gu, (char) => encodeURIComponent(char))
    )
    .join('/')
}

/** `sha256:abc…` → `blobs/sha256/abc…`, the blob's path in an OCI image layout (image-spec §6). */
function blobPath(digest: string): string {
  return `blobs/${uriPath(digest.replace(':', '/'))}`
}

function physical(uri: string, uriBaseId: string, line: number): Record<string, unknown> {
  return { artifactLocation: { uri, uriBaseId }, region: { startLine: Math.max(1, line) } }
}

/**
 * The result's location: the repository file an imported result names, else the Dockerfile line
 * the finding was mapped to, else the file in the image (or the layer, or the image config).
 * GitHub code scanning rejects a whole upload when a result has no physical location, so even a
 * finding in the image gets one (relative to IMAGEROOT, which is not in the repository), with a
 * logical location naming the image and path as the stable place to read.
 */
function location(
  finding: GatedFinding,
  image: string,
  configDigest: string
): Record<string, unknown> {
  const { source, dockerfile, layerDigest, line } = finding.location
  // A place a person reads; `properties.path` keeps the path as the JSON report has it.
  const path = shownPath(finding)
  const inImage = path === undefined ? undefined : { text: escapeSarifText(`${path} in ${image}`) }
  if (source !== undefined) {
    return { physicalLocation: physical(uriPath(source.file), SRCROOT, source.line ?? 1) }
  }
  if (dockerfile !== undefined) {
    return {
      physicalLocation: physical(uriPath(dockerfile.file), SRCROOT, dockerfile.line),
      ...(inImage === undefined ? {} : { message: inImage })
    }
  }
  const where = path ?? layerDigest ?? '/'
  return {
    physicalLocation:
      path !== undefined && uriPath(path) !== ''
        ? physical(uriPath(path), IMAGEROOT, line ?? 1)
        : physical(blobPath(layerDigest ?? configDigest), IMAGELAYOUT, 1),
    logicalLocations: [{ name: where, fullyQualifiedName: `${image}:${where}`, kind: 'resource' }]
  }
}

function message(finding: GatedFinding): string {
  const path = shownPath(finding)
  const where = path === undefined || finding.title.includes(path) ? '' : ` (${path})`
  return escapeSarifText(
    `${finding.title}${where}${finding.detail === undefined ? '' : `. ${finding.detail}`}`
  )
}

export function renderSarif(report: GateReport, options: SarifOptions = {}): string {
  const image = imageName(report.image.reference)
  const byRule = new Map<string, GatedFinding[]>()
  for (const finding of report.findings) {
    const group = byRule.get(finding.rule)
    if (group === undefined) byRule.set(finding.rule, [finding])
    else group.push(finding)
  }
  const ruleIds = [...byRule.keys()].sort()
  const ruleIndex = new Map(ruleIds.map((rule, index) => [rule, index]))
  const rules = ruleIds.map((rule) => {
    const findings = byRule.get(rule)!
    const worst = SEVERITIES.find((severity) => findings.some((f) => f.severity === severity))!
    const step = findings[0]!.step
    const help = helpFor(findings, rule)
    return {
      id: rule,
      name: ruleName(rule),
      shortDescription: { text: escapeSarifText(findings[0]!.title) },
      fullDescription: { text: help.text },
      helpUri: `${RULES_URI}/${step}.md`,
      help,
      defaultConfiguration: { level: worst === 'info' ? 'note' : 'warning' },
      properties: {
        'security-severity': SECURITY_SEVERITY[worst],
        tags: ['security', 'container', step],
        precision: 'high'
      }
    }
  })
  const results = report.findings.map((finding) => ({
    ruleId: finding.rule,
    ruleIndex: ruleIndex.get(finding.rule)!,
    level: level(finding),
    message: { text: message(finding) },
    locations: [location(finding, image, report.image.configDigest)],
    partialFingerprints: { [FINGERPRINT_KEY]: finding.fingerprint },
    ...(finding.baseline === undefined ? {} : { baselineState: finding.baseline }),
    ...(finding.suppressed === undefined
      ? {}
      : {
          suppressions: [
            {
              kind: 'external',
              status: 'accepted',
              justification: escapeSarifText(
                `${finding.suppressed.reason} (${finding.suppressed.source})`
              )
            }
          ]
        }),
    properties: {
      severity: finding.severity,
      blocking: finding.blocking,
      ...(finding.location.path === undefined ? {} : { path: finding.location.path }),
      ...(finding.location.layerDigest === undefined
        ? {}
        : { layerDigest: finding.location.layerDigest }),
      ...(finding.package === undefined ? {} : { purl: finding.package.purl }),
      ...(finding.vulnerability === undefined ? {} : { vulnerability: finding.vulnerability.id })
    }
  }))
  const log = {
    $schema: SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: report.tool.name,
            version: report.tool.version,
            semanticVersion: report.tool.version,
            informationUri: INFORMATION_URI,
            rules
          }
        },
        // The category is the part before the last `/` (SARIF §3.17.3; GitHub keys analyses by it).
        automationDetails: { id: `container-gate/${options.category ?? image}/` },
        originalUriBaseIds: {
          [SRCROOT]: { description: { text: 'The root of the repository.' } },
          [IMAGEROOT]: {
            description: {
              text: escapeSarifText(`The root of the filesystem of ${report.image.reference}.`)
            }
          },
          [IMAGELAYOUT]: {
            description: {
              text: escapeSarifText(`${report.image.reference} as an OCI image layout.`)
            }
          }
        },
        invocations: [
          {
            executionSuccessful: !report.steps.some((step) => step.status === 'error'),
            ...(report.steps.some((step) => step.status === 'error')
              ? {
                  toolExecutionNotifications: report.steps
                    .filter((step) => step.status === 'error')
                    .map((step) => ({
                      level: 'error',
                      message: {
                        text: escapeSarifText(`Step ${step.id} could not run: ${step.reason ?? ''}`)
                      }
                    }))
                }
              : {})
          }
        ],
        results,
        properties: {
          image: report.image.reference,
          digest: report.image.digest,
          platform: report.image.platform,
          verdict: report.verdict
        }
      }
    ]
  }
  return `${JSON.stringify(log, null, 2)}\n`
}
