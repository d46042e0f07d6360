/** The action's entry point: the only place that reads action inputs. */
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as core from '@actions/core'
import { runGate } from './engine.js'
import { isUserError } from './errors.js'
import { writeFileAtomic } from './files.js'
import { actionsLogger } from './github/logger.js'
import { publish } from './github/publish.js'
import { acquireSettings, ALL_INPUTS, parseRunInputs } from './inputs.js'
import { renderJson } from './report/json.js'

export async function run(): Promise<void> {
  try {
    for (const input of ALL_INPUTS.filter((i) => i.secret)) {
      const value = core.getInput(input.name)
      if (value !== '') core.setSecret(value)
    }
    const inputs = parseRunInputs((name) => core.getInput(name) || undefined)
    const { report } = await runGate(
      { image: inputs.image, policy: inputs.policy, acquire: acquireSettings(inputs, process.env) },
      actionsLogger
    )
    const reportPath =
      inputs.reportPath ?? join(process.env.RUNNER_TEMP ?? tmpdir(), 'container-gate-report.json')
    await writeFileAtomic(reportPath, renderJson(report), 'input "report"')
    await publish(report, reportPath)
    if (report.verdict === 'fail') {
      core.setFailed(
        `container-gate: the policy failed for ${report.image.reference}: ${report.summary.blocking} blocking finding(s)${
          report.steps.some((s) => s.status === 'error') ? ' and a step that could not run' : ''
        }.`
      )
    } else {
      core.info(
        `container-gate: the gate passed for ${report.image.reference} (${report.image.digest}).`
      )
    }
  } catch (error) {
    core.setFailed(
      isUserError(error)
        ? `container-gate: ${error.message}`
        : `container-gate: internal error, please report it: ${(error as Error).stack ?? String(error)}`
    )
    process.exitCode = 2
  }
}
