// Generates demo/sample-image.tar (an OCI archive) from the files under demo/layers/.
// Run with `npm run demo:build`; the output is deterministic, so a rebuild without changes to
// demo/ leaves the committed file byte-identical.
import { demoImageSpec } from '../__fixtures__/demo-image.js'
import { buildImage, writeOciArchive } from '../__fixtures__/image-builder.js'

const image = buildImage(demoImageSpec())
writeOciArchive('demo/sample-image.tar', [{ image, ref: 'demo' }])
process.stdout.write(`demo/sample-image.tar: ${image.manifestDigest}\n`)
