/**
 * Settings of the `tests` step. The structure-test files are read and parsed here, while the
 * inputs are parsed, rather than when the step runs: a bad file is then exit 2 before the image
 * is pulled, the policy holds the parsed suites so the step itself does no file I/O, and the
 * step can ask the engine for exactly the file contents those tests name (`needs`).
 */
import { parseBooleanInput, splitList } from '../../input-values.js'
import { ConfigurationError } from '../../errors.js'
import type { InputLookup } from '../../input-values.js'
import type { StepSettings } from '../settings.js'
import { loadStructureTests } from './load.js'
import type { StructureTestSuite } from './suite.js'

/** How command tests reach a container runtime (input container-runtime). */
export const CONTAINER_RUNTIMES = ['auto', 'docker', 'podman', 'none'] as const
export type ContainerRuntimeSetting = (typeof CONTAINER_RUNTIMES)[number]

export interface TestsSettings {
  /** The suites of the `structure-tests` files, parsed. */
  structureTests: StructureTestSuite[]
  /** Run the built-in security test pack (src/steps/tests/builtin.ts). */
  builtinTests: boolean
  /** Where command tests run; `auto` tries docker, then podman. */
  containerRuntime: ContainerRuntimeSetting
}

function read(get: InputLookup, name: string): string | undefined {
  const value = get(name)?.trim()
  return value === undefined || value === '' ? undefined : value
}

function parseRuntime(value: string): ContainerRuntimeSetting {
  const runtime = CONTAINER_RUNTIMES.find((candidate) => candidate === value.toLowerCase())
  if (runtime === undefined) {
    throw new ConfigurationError(
      `input "container-runtime" is "${value}"; use one of ${CONTAINER_RUNTIMES.join(', ')}.`
    )
  }
  return runtime
}

export const testsSettings: StepSettings<TestsSettings> = {
  inputs: [
    {
      name: 'structure-tests',
      list: true,
      description:
        'container-structure-test files (schemaVersion 2.0.0, YAML or JSON) or globs of them, run against the image by the tests step. See docs/structure-tests.md.'
    },
    {
      name: 'builtin-tests',
      default: 'true',
      description:
        'Run the built-in security test pack (no /root/.ssh, no private keys in home directories, /tmp sticky, /etc/shadow not world-readable, no .git in app directories, CA bundle with TLS clients).'
    },
    {
      name: 'container-runtime',
      default: 'auto',
      description: `Where command tests run: ${CONTAINER_RUNTIMES.join(', ')}. Without a working runtime they are reported as skipped.`
    }
  ],
  defaults: () => ({ structureTests: [], builtinTests: true, containerRuntime: 'auto' }),
  parse: (get, base) => {
    const files = read(get, 'structure-tests')
    const builtin = read(get, 'builtin-tests')
    const runtime = read(get, 'container-runtime')
    return {
      structureTests:
        files === undefined ? base.structureTests : loadStructureTests(splitList(files)),
      builtinTests:
        builtin === undefined ? base.builtinTests : parseBooleanInput('builtin-tests', builtin),
      containerRuntime: runtime === undefined ? base.containerRuntime : parseRuntime(runtime)
    }
  }
}
