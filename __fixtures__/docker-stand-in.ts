/**
 * A stand-in `docker` CLI for tests on machines without a Docker engine: `docker save REF`
 * writes a prepared archive to stdout, an unknown REF fails with the engine's message and exit
 * status 1, as `docker save` does. Put the returned directory first on PATH.
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

const COPY_TO_STDOUT = "require('fs').createReadStream(process.argv[1]).pipe(process.stdout)"

function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`
}

/** Writes `DIR/docker`; `images` maps a REF as given to `docker save` to the archive to write. */
export function installDockerStandIn(dir: string, images: Record<string, string>): string {
  mkdirSync(dir, { recursive: true })
  const cases = Object.entries(images)
    // Node itself writes the archive: it is on every machine that runs the tests, cat may not be.
    .map(
      ([ref, archive]) =>
        `  ${shellQuote(ref)}) exec ${shellQuote(process.execPath)} -e ${shellQuote(COPY_TO_STDOUT)} ${shellQuote(archive)} ;;`
    )
    .join('\n')
  const script = `#!/bin/sh
if [ "$1" != save ] || [ "$#" -ne 2 ]; then
  echo "docker stand-in: only 'docker save REF' is supported" >&2
  exit 125
fi
case "$2" in
${cases}
  *) echo "Error response from daemon: No such image: $2" >&2; exit 1 ;;
esac
`
  const path = join(dir, 'docker')
  writeFileSync(path, script)
  chmodSync(path, 0o755)
  return dir
}
