/**
 * A step's own settings: its inputs (action inputs and CLI flags of the same names), defaults
 * and parsing. The policy core composes them, so each step declares only what it needs.
 */
import type { InputLookup, InputSpec } from '../input-values.js'

export interface StepSettings<S> {
  inputs: InputSpec[]
  defaults(): S
  /**
   * Reads the step's inputs over `base`: a blank input keeps the base value; a bad value is a
   * ConfigurationError naming the input and the allowed values.
   */
  parse(get: InputLookup, base: S): S
}
