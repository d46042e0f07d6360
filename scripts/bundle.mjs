// Builds the two committed bundles: dist/index.js (the action) and dist/cli.js (the CLI).
import { build } from 'esbuild'
import { chmod } from 'node:fs/promises'

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  legalComments: 'linked',
  sourcemap: false,
  logLevel: 'warning',
  // Some bundled CommonJS dependencies call require(); give them one in the ESM bundle.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);"
  }
}

await build({ ...common, entryPoints: ['src/index.ts'], outfile: 'dist/index.js' })
// src/bin.ts starts with the shebang; esbuild keeps it on the first line.
await build({ ...common, entryPoints: ['src/bin.ts'], outfile: 'dist/cli.js' })
await chmod('dist/cli.js', 0o755)
