#!/usr/bin/env node
import { runCli } from './cli.js'
import { exitAfterGrace } from './deadline.js'

// A failed write of an error message has nowhere left to be reported; it must not crash the exit.
process.stderr.on('error', () => undefined)
process.exitCode = await runCli(process.argv.slice(2))
exitAfterGrace((line) => process.stderr.write(line))
