/** The Logger for the action: messages go to the Actions log through @actions/core. */
import * as core from '@actions/core'
import type { Logger } from '../log.js'
import { escapeTerminal } from '../report/escape.js'

/**
 * Messages name paths and values from the image. `core.info` writes its text raw, so a newline
 * there could start a line `::workflow-command::`; every message is one escaped line.
 */
export const actionsLogger: Logger = {
  debug: (message) => core.debug(escapeTerminal(message)),
  info: (message) => core.info(escapeTerminal(message)),
  warning: (message) => core.warning(escapeTerminal(message)),
  error: (message) => core.error(escapeTerminal(message)),
  group: (name, fn) => core.group(escapeTerminal(name), fn)
}
