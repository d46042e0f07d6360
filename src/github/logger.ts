/** The Logger for the action: messages go to the Actions log through @actions/core. */
import * as core from '@actions/core'
import type { Logger } from '../log.js'

export const actionsLogger: Logger = {
  debug: (message) => core.debug(message),
  info: (message) => core.info(message),
  warning: (message) => core.warning(message),
  error: (message) => core.error(message),
  group: (name, fn) => core.group(name, fn)
}
