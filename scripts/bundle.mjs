// Builds the committed bundles: dist/index.js (the action) and dist/cli.js (the CLI), with the
// code they share and the code loaded only on demand (signing, verifying, manifests) in chunks
// beside them. A chunk is compiled only when it is loaded: a scan does not parse the signing
// stack, which takes start-up time off every run.
import { build } from 'esbuild'
import { chmod, readdir, rm } from 'node:fs/promises'

// Chunk names carry a hash of their content: remove the previous build's, or stale ones stay.
for (const name of await readdir('dist').catch(() => [])) {
  if (name.endsWith('.js') || name.endsWith('.LEGAL.txt')) await rm(`dist/${name}`)
}

await build({
  // src/bin.ts starts with the shebang; esbuild keeps it on the first line.
  entryPoints: { index: 'src/index.ts', cli: 'src/bin.ts' },
  outdir: 'dist',
  // Chunks sit beside the entry points: code that finds files relative to itself
  // (new URL('../demo/…', import.meta.url)) sees the same directory from any of them.
  chunkNames: 'chunk-[hash]',
  splitting: true,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  legalComments: 'linked',
  sourcemap: false,
  logLevel: 'warning',
  // Some bundled CommonJS dependencies call require(); give them one in each ESM file.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);"
  }
})
await chmod('dist/cli.js', 0o755)
