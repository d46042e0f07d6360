/**
 * The rule ids each step can report, so a `rules` override of a mistyped id is an error instead
 * of silently doing nothing. __tests__/policy/rules.test.ts holds this list to the `rule:`
 * literals in the steps' sources and to the rule tables in docs/, so it cannot drift.
 */
import { invalidInput, closestName } from '../input-values.js'
import type { StepId } from '../findings.js'

export const RULE_IDS: Record<StepId, readonly string[]> = {
  identity: [
    'root-user',
    'non-numeric-user',
    'unknown-user',
    'system-range-uid',
    'setuid-file',
    'setgid-file',
    'file-capabilities',
    'privilege-escalation-tool',
    'empty-password',
    'duplicate-uid',
    'duplicate-gid',
    'privileged-port',
    'missing-healthcheck',
    'input-not-analysed'
  ],
  tests: ['command', 'file-existence', 'file-content', 'metadata', 'license', 'input-not-analysed'],
  code: [
    'elf-no-pie',
    'elf-no-relro',
    'elf-partial-relro',
    'elf-executable-stack',
    'elf-no-stack-canary',
    'elf-no-fortify',
    'elf-insecure-rpath',
    'shell-download-exec',
    'shell-chmod-world-writable',
    'shell-eval-variable',
    'python-unsafe-deserialization',
    'python-shell-true',
    'python-eval',
    'js-eval',
    'js-exec-template',
    'tls-verification-disabled',
    'debug-enabled',
    'malware',
    'input-not-analysed'
  ],
  composition: [
    'vulnerability',
    'license-denied',
    'license-not-allowed',
    'license-unknown',
    'input-not-analysed'
  ],
  hardening: [
    'add-remote-url',
    'build-leftover',
    'core-dump',
    'editor-backup',
    'large-file',
    'latest-base-tag',
    'low-efficiency',
    'package-cache',
    'package-manager',
    'package-upgrade',
    'pycache',
    'runtime-user-owns-system-file',
    'sensitive-volume',
    'shell-history',
    'temp-files',
    'toolchain',
    'vcs-directory',
    'wasted-file',
    'wasted-space',
    'world-writable',
    'input-not-analysed'
  ],
  custody: [
    'unsigned-image',
    'unsigned-base-image',
    'drift-added-executable',
    'drift-added-file',
    'drift-removed-file',
    'drift-changed-file',
    'drift-permissions',
    'input-not-analysed'
  ]
}

/**
 * Families whose names come from data rather than code: secret rules (built-in and the custom
 * ones in hardening's settings) and the rules of imported SARIF tools.
 */
export const RULE_FAMILIES = ['hardening/secret-', 'code/sarif-'] as const

const KNOWN = Object.entries(RULE_IDS).flatMap(([step, names]) =>
  names.map((name) => `${step}/${name}`)
)

export function isKnownRule(id: string): boolean {
  return KNOWN.includes(id) || RULE_FAMILIES.some((family) => id.startsWith(family))
}

/** The full ids of the rules named `name` without their step (`root-user` → `identity/root-user`). */
export function rulesNamed(name: string): string[] {
  return KNOWN.filter((id) => id.slice(id.indexOf('/') + 1) === name)
}

/** Refuses a rule id no step reports, naming the closest one that exists. */
export function checkRuleId(input: string, value: string, id: string): void {
  if (isKnownRule(id)) return
  const closest = closestName(id, KNOWN)
  throw invalidInput(
    input,
    value,
    closest === undefined
      ? `${id} is not a rule; see docs/rules/ and docs/policy.md for the rule ids.`
      : `${id} is not a rule; did you mean ${closest}?`
  )
}
