/** Reading YAML inputs (policy file, structure tests) within bounds, with errors that name the file. */
import type { Document } from 'yaml'
import { ConfigurationError } from '../errors.js'

/**
 * Limits on a YAML file the gate reads (policy file, structure tests). Real ones are a few
 * kilobytes; 1 MiB also keeps the yaml library within its own means (a 4.5 MB file of deeply
 * indented sequences exhausts its memory, a 1 MB one parses in 0.2 s). Each anchor may be expanded at most 100 times
 * (the yaml library's default maxAliasCount), which no hand-written file reaches and which stops
 * "billion laughs" expansions long before they cost anything.
 */
export const MAX_YAML_BYTES = 1024 * 1024
export const MAX_YAML_ALIAS_COUNT = 100

/**
 * The document as plain data, with anchors expanded at most MAX_YAML_ALIAS_COUNT times each;
 * the yaml library throws a ReferenceError past that, and for an alias without its anchor.
 */
export function yamlData(doc: Document, subject: string, code: string): unknown {
  try {
    return doc.toJS({ maxAliasCount: MAX_YAML_ALIAS_COUNT })
  } catch (error) {
    if (!(error instanceof ReferenceError)) throw error
    const reason = error.message.startsWith('Excessive alias count')
      ? `its aliases expand to more than ${MAX_YAML_ALIAS_COUNT} copies of an anchor, as a "billion laughs" attack does; write the values out or use fewer aliases`
      : `${error.message.split('\n')[0]}; fix the YAML`
    throw new ConfigurationError(`${subject}: ${reason}.`, code)
  }
}
