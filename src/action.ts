/** The action's entry point: the only place that reads action inputs. */
import { escapeTerminal } from './report/escape.js'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as core from '@actions/core'
import { signAfterGate } from './custody/after-gate.js'
import { runGate } from './engine.js'
import { isUserError } from './errors.js'
import { writeFileAtomic } from './files.js'
import { actionsLogger } from './github/logger.js'
import {
  LAYER_CACHE_SAVE_BYTES,
  restoreLayerCache,
  restoreOsvCache,
  saveLayerCache,
  saveOsvCache
} from './github/caches.js'
import { publish } from './github/publish.js'
import {
  acquireSettings,
  ALL_INPUTS,
  gateRequest,
  idleInputs,
  layerCacheOf,
  parseRunInputs
} from './inputs.js'
import { renderJunit } from './report/junit.js'
import { renderSbom } from './report/sbom.js'
import { osvCacheDir } from './cache-dirs.js'
import { renderJson } from './report/json.js'
import { renderSarif } from './report/sarif.js'

/**
 * An input left at its action.yml default reads as unset, so the policy file's value holds;
 * the engine's defaults are the same values.
 */
function actionInput(name: string): string | undefined {
  const value = core.getInput(name)
  const spec = ALL_INPUTS.find((input) => input.name === name)
  return value === '' || value === spec?.default ? undefined : value
}

export async function run(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  try {
    for (const input of ALL_INPUTS.filter((i) => i.secret)) {
      const value = core.getInput(input.name)
      if (value !== '') core.setSecret(value)
    }
    const inputs = parseRunInputs(actionInput)
    for (const warning of idleInputs(inputs)) core.warning(warning)
    if (inputs.configPath !== undefined)
      core.info(`container-gate: policy file ${inputs.configPath}`)
    const downloadsOsv =
      inputs.policy.steps.composition.enabled && inputs.policy.composition.vulnDb === 'osv'
    if (downloadsOsv) await restoreOsvCache(osvCacheDir(env))
    const layers = layerCacheOf(inputs, env).layerCache?.dir
    if (layers !== undefined) await restoreLayerCache(layers, env, inputs.image)
    const result = await runGate(gateRequest(inputs, env), actionsLogger)
    const { report } = result
    if (downloadsOsv) await saveOsvCache(osvCacheDir(env))
    if (layers !== undefined && result.layerCacheWrittenBytes >= LAYER_CACHE_SAVE_BYTES) {
      await saveLayerCache(layers, env, inputs.image)
    }
    const temp = env.RUNNER_TEMP ?? tmpdir()
    const reportPath = inputs.reportPath ?? join(temp, 'container-gate-report.json')
    const sarifPath = inputs.sarifPath ?? join(temp, 'container-gate.sarif')
    // No SBOM when composition did not run: an empty one would read downstream as "no packages".
    const sbomPath = !inputs.policy.steps.composition.enabled
      ? undefined
      : (inputs.sbomPath ??
        join(temp, `container-gate-sbom.${inputs.sbomFormat === 'spdx' ? 'spdx' : 'cdx'}.json`))
    await writeFileAtomic(reportPath, renderJson(report), 'input "report"')
    await writeFileAtomic(sarifPath, renderSarif(report), 'input "sarif"')
    if (sbomPath !== undefined)
      await writeFileAtomic(sbomPath, renderSbom(result, inputs.sbomFormat), 'input "sbom"')
    if (inputs.junitPath !== undefined) {
      const junit = renderJunit(report, result.artifacts.testResults ?? [])
      await writeFileAtomic(inputs.junitPath, junit, 'input "junit"')
    }
    const receipt = await signAfterGate(result, inputs.policy, {
      registry: acquireSettings(inputs, env),
      logger: actionsLogger
    })
    await publish(report, {
      reportPath,
      sarifPath,
      ...(sbomPath === undefined ? {} : { sbomPath }),
      ...(receipt === undefined ? {} : { signature: receipt.signature }),
      ...(inputs.githubToken === undefined ? {} : { token: inputs.githubToken }),
      comment: inputs.comment,
      checkRun: inputs.checkRun,
      ...(inputs.dockerfile === undefined ? {} : { dockerfile: inputs.dockerfile }),
      env
    })
    const why = `${report.summary.blocking} blocking finding(s)${
      report.steps.some((s) => s.status === 'error') ? ' and a step that could not run' : ''
    }`
    if (report.verdict === 'pass') {
      core.info(
        `container-gate: the gate passed for ${report.image.reference} (${report.image.digest}).`
      )
    } else if (inputs.mode === 'warn') {
      core.warning(
        escapeTerminal(
          `container-gate: the policy failed for ${report.image.reference}: ${why}; mode is warn, so the run does not fail.`
        )
      )
    } else {
      core.setFailed(
        escapeTerminal(`container-gate: the policy failed for ${report.image.reference}: ${why}.`)
      )
    }
  } catch (error) {
    core.setFailed(
      isUserError(error)
        ? `container-gate: ${escapeTerminal(error.message)}`
        : `container-gate: internal error, please report it: ${(error as Error).stack ?? String(error)}`
    )
    process.exitCode = 2
  }
}
