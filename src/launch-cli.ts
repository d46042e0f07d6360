#!/usr/bin/env node
/**
 * The CLI's entry point: turns on Node's compile cache (Node 22.1 and later) in the gate's cache
 * directory before the CLI's code is loaded, so that a later run reads the compiled code instead
 * of compiling ~2 MB of JavaScript again (a re-gate on Node 24: ~20 ms of ~300), then runs the
 * CLI. Kept small on purpose: whatever it imported statically would be compiled before the cache
 * is on. Node keys the cache by each file's content, so a new build never reads an old one's.
 */
import { readdirSync, rmSync } from 'node:fs'
import * as nodeModule from 'node:module'
import { join } from 'node:path'
import { compileCacheDir } from './cache-dirs.js'

/**
 * Files Node may keep per Node version: a build writes one per module it loads (about ten), and
 * Node never removes those of older builds, so after this many the directory starts afresh.
 */
const MAX_COMPILED_FILES = 200

const dir = compileCacheDir(process.env, process.argv.slice(2))
const enable = (nodeModule as { enableCompileCache?: (directory: string) => unknown })
  .enableCompileCache
// Node 20 has no compile cache; an unusable directory only costs the speed-up.
if (dir !== undefined && enable !== undefined) {
  try {
    prune(dir)
  } catch {
    // No directory yet: enabling the cache makes it.
  }
  try {
    enable(dir)
  } catch {
    // The cache is an optimisation: without it the CLI runs as before.
  }
}

/** Starts afresh the cache of a Node version that holds more than MAX_COMPILED_FILES. */
function prune(directory: string): void {
  for (const version of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, version.name)
    if (version.isDirectory() && readdirSync(path).length > MAX_COMPILED_FILES)
      rmSync(path, { recursive: true, force: true })
  }
}

await import('./bin.js')
