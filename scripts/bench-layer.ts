/**
 * Measures one analyzeLayer pass over a layer blob on disk, to compare with `gzip -dc FILE > /dev/null`
 * (decompression is the floor, DESIGN.md "Performance shape").
 *
 *   npx esbuild scripts/bench-layer.ts --bundle --platform=node --format=esm --packages=external \
 *     --outfile=/tmp/bench-layer.mjs && node /tmp/bench-layer.mjs layer.tar.gz
 */
import { createReadStream } from 'node:fs'
import { analyzeLayer } from '../src/image/layer/analyze.js'

const file = process.argv[2]
if (file === undefined) throw new Error('usage: bench-layer FILE')

let peakRss = 0
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20)
const started = process.hrtime.bigint()
const analysis = await analyzeLayer(createReadStream(file, { highWaterMark: 1024 * 1024 }), {
  name: file,
  // A realistic load: a few small files captured, one visitor looking at every header.
  requests: [{ globs: ['/etc/**', '/**/*.conf'], maxBytes: 64 * 1024 }],
  subscriptions: [
    {
      id: 'count',
      createVisitor: () => {
        let files = 0
        return {
          onEntry: (entry) => {
            if (entry.type === 'file') files++
            return undefined
          },
          finish: () => files
        }
      }
    }
  ]
})
const seconds = Number(process.hrtime.bigint() - started) / 1e9
clearInterval(sampler)
const mib = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1)
console.log(
  `${analysis.compression}: ${mib(analysis.compressedSize)} MiB -> ${mib(analysis.uncompressedSize)} MiB, ` +
    `${analysis.entries.length} entries, ${analysis.contents.size} captured, ${seconds.toFixed(2)} s, ` +
    `${mib(analysis.uncompressedSize / seconds)} MiB/s uncompressed, peak RSS ${mib(peakRss)} MiB`
)
