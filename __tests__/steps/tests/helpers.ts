/** Runs the tests step through the engine over a built image (real tar, real gzip). */
import { Readable } from 'node:stream'
import { buildImage, type ImageSpec } from '../../../__fixtures__/image-builder.js'
import { runGate, type GateResult } from '../../../src/engine.js'
import type { ImageSource } from '../../../src/image/source.js'
import { silentLogger } from '../../../src/log.js'
import { defaultPolicy } from '../../../src/policy/defaults.js'
import { createTestsStep, type TestsStepOptions } from '../../../src/steps/tests/index.js'
import type { Exec } from '../../../src/steps/tests/runtime.js'
import type { TestsSettings } from '../../../src/steps/tests/settings.js'

export const ACQUIRE = {
  platform: { os: 'linux', architecture: 'amd64' },
  insecureRegistries: [],
  env: {}
}

/** What `docker info` and `podman info` answer on a runner with the docker CLI but no engine. */
export const NO_RUNTIME: Exec = async (program) =>
  program === 'docker'
    ? {
        stdout: '',
        stderr:
          'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n',
        exitCode: 1
      }
    : { stdout: '', stderr: `${program} not found on PATH`, exitCode: -1 }

function source(spec: ImageSpec): ImageSource {
  const image = buildImage(spec)
  return {
    transport: 'oci',
    reference: 'oci:test',
    acquire: async (options) => ({
      reference: 'oci:test',
      digest: image.manifestDigest,
      platform: image.platform,
      manifest: image.manifest,
      config: image.config,
      configDigest: image.configDigest,
      layers: await Promise.all(
        image.layers.map(async (layer, i) => ({
          descriptor: layer.descriptor,
          analysis: await options.analyzeLayer(Readable.from([layer.blob]), {
            name: `layer ${i}`,
            expectedDigest: layer.digest
          })
        }))
      )
    })
  }
}

export function gateTests(
  spec: ImageSpec,
  tests: Partial<TestsSettings>,
  options: TestsStepOptions = { exec: NO_RUNTIME }
): Promise<GateResult> {
  const policy = defaultPolicy()
  policy.tests = { ...policy.tests, builtinTests: false, ...tests }
  return runGate(
    { image: 'oci:test', policy, acquire: ACQUIRE },
    silentLogger,
    [createTestsStep(options)],
    () => source(spec)
  )
}
