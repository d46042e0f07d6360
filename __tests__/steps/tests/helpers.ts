/** Runs the tests step through the engine over a built image (real tar, real gzip). */
import { buildImage, type ImageSpec } from '../../../__fixtures__/image-builder.js'
import { ACQUIRE, memorySource } from '../../../__fixtures__/memory-source.js'
import { runGate, type GateResult } from '../../../src/engine.js'
import { silentLogger } from '../../../src/log.js'
import { defaultPolicy } from '../../../src/policy/defaults.js'
import { createTestsStep, type TestsStepOptions } from '../../../src/steps/tests/index.js'
import type { Exec } from '../../../src/steps/tests/runtime.js'
import type { TestsSettings } from '../../../src/steps/tests/settings.js'

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
    () => memorySource(buildImage(spec))
  )
}
