/**
 * What an image config's `history[].created_by` says about the instruction behind it (OCI
 * image-spec config.md, `history`). Builders write it differently:
 *
 * - BuildKit:   `RUN /bin/sh -c apt-get install -y curl # buildkit`, `COPY . /app # buildkit`,
 *               `RUN |2 A=1 B=2 /bin/sh -c make # buildkit`, `USER 10001`, `ENV A=b`,
 *               `EXPOSE map[8080/tcp:{}]`, `WORKDIR /app`.
 * - classic builder (and buildah/podman, kaniko):
 *               `/bin/sh -c apt-get install -y curl`, `|1 V=1 /bin/sh -c make`,
 *               `/bin/sh -c #(nop)  CMD ["app"]`, `/bin/sh -c #(nop) COPY dir:3b1f… in /app `.
 */

export const KEYWORDS = [
  'ADD',
  'ARG',
  'CMD',
  'COPY',
  'ENTRYPOINT',
  'ENV',
  'EXPOSE',
  'HEALTHCHECK',
  'LABEL',
  'MAINTAINER',
  'ONBUILD',
  'RUN',
  'SHELL',
  'STOPSIGNAL',
  'USER',
  'VOLUME',
  'WORKDIR'
] as const
export type Keyword = (typeof KEYWORDS)[number]

function isKeyword(word: string): word is Keyword {
  return (KEYWORDS as readonly string[]).includes(word)
}

/** An instruction as far as its history entry tells. */
export interface HistoryInstruction {
  keyword: Keyword
  /** Arguments with whitespace collapsed (for RUN: the shell command alone). */
  args: string
  /** COPY/ADD: the destination, as written. */
  destination?: string
}

/** Collapses whitespace runs, so line continuations and indentation do not matter. */
export function normalizeSpace(text: string): string {
  return text.replace(/\s+/g, ' ').trim()
}

const SHELL_PREFIX = /^(?:\/bin\/sh|\/bin\/bash|sh|bash) -c /
const NOP = /^#\(nop\)\s*/
const BUILDKIT_SUFFIX = /\s*# buildkit$/

/** `|2 A=1 B=2 cmd`: the build args a RUN saw, counted, before the command (moby dispatchers). */
function stripBuildArgs(text: string): string {
  const match = /^\|(\d+) /.exec(text)
  if (match === null) return text
  // The count is the image's word: the walk ends with the text, whatever number it gives.
  const count = Number(match[1])
  let at = match[0].length
  for (let i = 0; i < count && at < text.length; i++) {
    const space = text.indexOf(' ', at)
    at = space === -1 ? text.length : space + 1
  }
  return text.slice(at)
}

function command(text: string): string {
  return normalizeSpace(stripBuildArgs(text.trim()).replace(SHELL_PREFIX, ''))
}

/** COPY/ADD flags (`--from=build`, `--chown=…`, `--link`) are not part of what is compared. */
function withoutFlags(keyword: Keyword, args: string): string {
  if (keyword !== 'COPY' && keyword !== 'ADD') return args
  return args
    .split(' ')
    .filter((part) => !part.startsWith('--'))
    .join(' ')
}

function destinationOf(keyword: Keyword, args: string): string | undefined {
  if (keyword !== 'COPY' && keyword !== 'ADD') return undefined
  // Classic: `file:<sha256> in /dest`, `multi:<sha256> in /dest/`.
  const classic = / in (\S+)\s*$/.exec(args)
  if (classic !== null && /^(?:file|dir|multi):[0-9a-f]+ in /.test(args)) return classic[1]
  const parts = args.split(' ').filter((part) => part !== '')
  return parts.length >= 2 ? parts.at(-1) : undefined
}

export function parseCreatedBy(createdBy: string): HistoryInstruction {
  let text = createdBy.replace(BUILDKIT_SUFFIX, '').trim()
  const buildkit = /^([A-Z]+)(?:\s+|$)/.exec(text)
  if (buildkit !== null && isKeyword(buildkit[1]!)) {
    const keyword = buildkit[1]
    text = text.slice(buildkit[0].length)
    const args = keyword === 'RUN' ? command(text) : withoutFlags(keyword, normalizeSpace(text))
    const destination = destinationOf(keyword, args)
    return { keyword, args, ...(destination === undefined ? {} : { destination }) }
  }
  const shell = stripBuildArgs(text).replace(SHELL_PREFIX, '')
  if (NOP.test(shell)) {
    const rest = shell.replace(NOP, '')
    const word = /^([A-Z]+)(?:\s+|$)/.exec(rest)
    if (word !== null && isKeyword(word[1]!)) {
      const keyword = word[1]
      const args = withoutFlags(keyword, normalizeSpace(rest.slice(word[0].length)))
      const destination = destinationOf(keyword, args)
      return { keyword, args, ...(destination === undefined ? {} : { destination }) }
    }
  }
  return { keyword: 'RUN', args: command(text) }
}
