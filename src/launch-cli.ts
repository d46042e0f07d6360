#!/usr/bin/env node
/**
 * The CLI's entry point: turns on Node's compile cache (Node 22.1 and later) in the gate's cache
 * directory before the CLI's code is loaded, so that a later run reads the compiled code instead
 * of compiling ~2 MB of JavaScript again (a re-gate on Node 24: ~20 ms of ~300), then runs the
 * CLI. Kept small on purpose: whatever it imported statically would be compiled before the cache
 * is on. Node keys the cache by each file's content, so a new build never reads an old one's.
 */
import * as nodeModule from 'node:module'
import { compileCacheDir } from './cache-dirs.js'

const dir = compileCacheDir(process.env)
const enable = (nodeModule as { enableCompileCache?: (directory: string) => unknown })
  .enableCompileCache
try {
  // An unusable directory only costs the speed-up; Node 20 has no compile cache.
  if (dir !== undefined) enable?.(dir)
} catch {
  // The cache is an optimisation: without it the CLI runs as before.
}
await import('./bin.js')
