// Builds the committed bundles: dist/index.js (the action) and dist/cli.js (the CLI), with the
// code they share and the code loaded only on demand (signing, verifying, manifests) in chunks
// beside them. A chunk is compiled only when it is loaded: a scan does not parse the signing
// stack, which takes start-up time off every run.
import { build } from 'esbuild'
import { createHash } from 'node:crypto'
import { chmod, readdir, readFile, rm, writeFile } from 'node:fs/promises'

// Chunk names carry a hash of their content: remove the previous build's, or stale ones stay.
for (const name of await readdir('dist').catch(() => [])) {
  if (name.endsWith('.js') || name.endsWith('.LEGAL.txt') || name === 'build-id') {
    await rm(`dist/${name}`)
  }
}

await build({
  // src/launch-cli.ts starts with the shebang; esbuild keeps it on the first line. It turns on
  // Node's compile cache, then loads the CLI (src/bin.ts) from a chunk of its own.
  entryPoints: { index: 'src/index.ts', cli: 'src/launch-cli.ts' },
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

// The layer cache keys its entries by the code that made them: the hash of every file of the
// bundle, written once here instead of read and hashed by every scan (src/image/layer/cache.ts).
const hash = createHash('sha256')
for (const name of (await readdir('dist')).filter((name) => name.endsWith('.js')).sort()) {
  hash.update(`${name}\0`).update(await readFile(`dist/${name}`))
}
await writeFile('dist/build-id', `${hash.digest('hex')}\n`)
