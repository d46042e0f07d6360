/**
 * The JSON report (docs/architecture.md). Keys are written in one fixed order, whatever order
 * the engine built them in, so reports diff cleanly between runs: the contract's keys first in
 * the documented order, any other key after them alphabetically (never dropped).
 */
import type { GatedFinding } from '../findings.js'
import type { GateReport, StepReport } from './model.js'

type Json = string | number | boolean | null | undefined | Json[] | { [key: string]: Json }
type JsonObject = { [key: string]: Json }

const ORDER = {
  report: [
    'schemaVersion',
    'tool',
    'verdict',
    'image',
    'steps',
    'findings',
    'summary',
    'durationMs'
  ],
  tool: ['name', 'version'],
  image: ['reference', 'digest', 'indexDigest', 'configDigest', 'platform', 'user', 'layers'],
  layer: ['digest', 'diffId', 'size', 'createdBy'],
  step: ['id', 'title', 'status', 'durationMs', 'reason', 'notes'],
  finding: [
    'fingerprint',
    'step',
    'rule',
    'severity',
    'title',
    'detail',
    'blocking',
    'subject',
    'location',
    'package',
    'vulnerability',
    'suppressed',
    'unlisted'
  ],
  location: ['path', 'layerDigest', 'dockerfile'],
  dockerfile: ['file', 'line'],
  package: ['name', 'version', 'ecosystem', 'purl'],
  vulnerability: ['id', 'aliases', 'fixedVersion'],
  suppressed: ['reason', 'source'],
  unlisted: ['count', 'counts', 'blocking', 'suppressed', 'fingerprints'],
  summary: ['counts', 'blocking', 'suppressed'],
  counts: ['critical', 'high', 'medium', 'low', 'info']
} as const

function isObject(value: Json): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Objects this file does not know (future fields) get alphabetical keys, all the way down. */
function sorted(value: Json): Json {
  if (Array.isArray(value)) return value.map(sorted)
  return isObject(value) ? ordered(value, []) : value
}

function ordered(value: object, keys: readonly string[]): JsonObject {
  const rank = (key: string): number => (keys.includes(key) ? keys.indexOf(key) : keys.length)
  const entries = Object.entries(value as JsonObject).sort(
    ([a], [b]) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0)
  )
  return Object.fromEntries(
    entries.map(([key, item]) => [key, keys.includes(key) ? item : sorted(item)])
  )
}

/** Orders `value[key]` (an object, or an array of objects) with `keys`, when present. */
function nested(parent: JsonObject, key: string, keys: readonly string[]): void {
  const value = parent[key]
  if (Array.isArray(value))
    parent[key] = value.map((item) => (isObject(item) ? ordered(item, keys) : item))
  else if (isObject(value)) parent[key] = ordered(value, keys)
}

function finding(value: GatedFinding): JsonObject {
  const result = ordered(value, ORDER.finding)
  nested(result, 'location', ORDER.location)
  const location = result['location']
  if (isObject(location)) nested(location, 'dockerfile', ORDER.dockerfile)
  nested(result, 'package', ORDER.package)
  nested(result, 'vulnerability', ORDER.vulnerability)
  nested(result, 'suppressed', ORDER.suppressed)
  nested(result, 'unlisted', ORDER.unlisted)
  const unlisted = result['unlisted']
  if (isObject(unlisted)) nested(unlisted, 'counts', ORDER.counts)
  return result
}

/** 2-space indent and a final newline; undefined fields are left out, as JSON.stringify does. */
export function renderJson(report: GateReport): string {
  const result = ordered(report, ORDER.report)
  nested(result, 'tool', ORDER.tool)
  nested(result, 'image', ORDER.image)
  const image = result['image']
  if (isObject(image)) nested(image, 'layers', ORDER.layer)
  result['steps'] = report.steps.map((step: StepReport) => ordered(step, ORDER.step))
  result['findings'] = report.findings.map(finding)
  nested(result, 'summary', ORDER.summary)
  const summary = result['summary']
  if (isObject(summary)) nested(summary, 'counts', ORDER.counts)
  return `${JSON.stringify(result, null, 2)}\n`
}
