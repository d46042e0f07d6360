/**
 * The base image a Dockerfile builds its final stage from: the last stage's FROM, followed
 * through `FROM <earlier stage>`, with global build arguments (ARG before the first FROM)
 * substituted by their defaults (Dockerfile reference, "Understand how ARG and FROM interact").
 */
import { DockerfileParser } from 'dockerfile-ast'
import { parseDockerfile } from '../dockerfile/parse.js'

export type DockerfileBase =
  /** An image reference, as it reads after substitution. */
  | { reference: string; line: number }
  /** A FROM this reading cannot resolve, e.g. a build argument without a default. */
  | { unresolved: string; line: number }
  /** `FROM scratch`: nothing to verify. */
  | { scratch: true; line: number }

// ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:+alternative}, ${NAME+alternative}, $NAME
const VARIABLE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g

/** Substitutes `args` into `text`; undefined when a variable has no value and no default. */
function substitute(text: string, args: Map<string, string>): string | undefined {
  let unresolved = false
  const result = text.replace(
    VARIABLE,
    (_match, braced?: string, colon?: string, operator?: string, word = '', bare?: string) => {
      const name = (braced ?? bare)!
      const value = args.get(name)
      // With a colon an empty value counts as unset (shell parameter expansion).
      const set = value !== undefined && (colon !== ':' || value !== '')
      if (operator === '-') return set ? value : word
      if (operator === '+') return set ? word : ''
      if (value === undefined) unresolved = true
      return value ?? ''
    }
  )
  return unresolved ? undefined : result
}

function globalArgs(text: string): Map<string, string> {
  const args = new Map<string, string>()
  for (const arg of DockerfileParser.parse(text).getInitialARGs()) {
    const property = arg.getProperty()
    const value = property?.getValue()
    if (property === null || value === null || value === undefined) continue
    const substituted = substitute(value, args)
    if (substituted !== undefined) args.set(property.getName(), substituted)
  }
  return args
}

/** The final stage's base image, or undefined when the text has no FROM. */
export function dockerfileBaseImage(text: string): DockerfileBase | undefined {
  const stages = parseDockerfile(text)
  const args = globalArgs(text)
  let index = stages.length - 1
  for (;;) {
    const stage = stages[index]
    if (stage === undefined) return undefined
    const base = substitute(stage.base, args)
    if (base === undefined || base === '') return { unresolved: stage.base, line: stage.fromLine }
    // Stage names are matched without regard to case, and only against earlier stages.
    const earlier = stages.findIndex((s, i) => i < index && s.name === base.toLowerCase())
    if (earlier >= 0) {
      index = earlier
      continue
    }
    return base.toLowerCase() === 'scratch'
      ? { scratch: true, line: stage.fromLine }
      : { reference: base, line: stage.fromLine }
  }
}
