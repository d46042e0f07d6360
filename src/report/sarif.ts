/**
 * SARIF 2.1.0 (OASIS, https://docs.oasis-open.org/sarif/sarif/v2.1.0/) for GitHub code scanning:
 * one reportingDescriptor per rule id with help text and `security-severity`, results on the
 * Dockerfile line when the finding was mapped (else a logical location naming the path in the
 * image), our fingerprints as `partialFingerprints`, and an `automationDetails.id` that names the
 * image so the alerts of several images do not close each other.
 */
import { SEVERITIES, type GatedFinding, type Severity } from '../findings.js'
import type { GateReport } from './model.js'

/** GitHub maps `security-severity` to critical ≥ 9.0, high ≥ 7.0, medium ≥ 4.0, low < 4.0. */
const SECURITY_SEVERITY: Record<Severity, string> = {
  critical: '9.5',
  high: '8.0',
  medium: '5.5',
  low: '2.0',
  info: '0.0'
}

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
  if (finding.blocking && finding.suppressed === undefined) return 'error'
  return finding.severity === 'info' ? 'note' : 'warning'
}

function helpFor(findings: GatedFinding[], rule: string): { text: string; markdown: string } {
  const example = findings.find((finding) => finding.detail !== undefined) ?? findings[0]!
  const detail = example.detail ?? example.title
  const step = rule.split('/')[0]!
  const link = `${RULES_URI}/${step}.md`
  return {
    text: `${detail} See ${link}.`,
    markdown: `${detail}\n\n[${rule}](${link})`
  }
}

function ruleName(rule: string): string {
  return rule
    .split(/[/-]/)
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('')
}

function location(finding: GatedFinding, image: string): Record<string, unknown> {
  const { dockerfile, path, layerDigest } = finding.location
  if (dockerfile !== undefined) {
    return {
      physicalLocation: {
        artifactLocation: { uri: dockerfile.file, uriBaseId: '%SRCROOT%' },
        region: { startLine: dockerfile.line }
      },
      ...(path === undefined ? {} : { message: { text: `${path} in ${image}` } })
    }
  }
  const where = path ?? layerDigest ?? '/'
  return {
    logicalLocations: [{ name: where, fullyQualifiedName: `${image}:${where}`, kind: 'resource' }]
  }
}

function message(finding: GatedFinding): string {
  const path = finding.location.path
  const where = path === undefined || finding.title.includes(path) ? '' : ` (${path})`
  return `${finding.title}${where}${finding.detail === undefined ? '' : `. ${finding.detail}`}`
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
  const rules = ruleIds.map((rule) => {
    const findings = byRule.get(rule)!
    const worst = SEVERITIES.find((severity) => findings.some((f) => f.severity === severity))!
    const step = findings[0]!.step
    const help = helpFor(findings, rule)
    return {
      id: rule,
      name: ruleName(rule),
      shortDescription: { text: findings[0]!.title },
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
    ruleIndex: ruleIds.indexOf(finding.rule),
    level: level(finding),
    message: { text: message(finding) },
    locations: [location(finding, image)],
    partialFingerprints: { [FINGERPRINT_KEY]: finding.fingerprint },
    ...(finding.baseline === undefined ? {} : { baselineState: finding.baseline }),
    ...(finding.suppressed === undefined
      ? {}
      : {
          suppressions: [
            {
              kind: 'external',
              status: 'accepted',
              justification: `${finding.suppressed.reason} (${finding.suppressed.source})`
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
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
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
        originalUriBaseIds: { '%SRCROOT%': { description: { text: 'The repository root.' } } },
        invocations: [
          {
            executionSuccessful: !report.steps.some((step) => step.status === 'error'),
            ...(report.steps.some((step) => step.status === 'error')
              ? {
                  toolExecutionNotifications: report.steps
                    .filter((step) => step.status === 'error')
                    .map((step) => ({
                      level: 'error',
                      message: { text: `Step ${step.id} could not run: ${step.reason ?? ''}` }
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
