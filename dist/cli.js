#!/usr/bin/env node
import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  compileCacheDir
} from "./chunk-F24YNK2L.js";
import "./chunk-G7E3GDP2.js";
import "./chunk-S52CFNVZ.js";
import "./chunk-VA35IVHB.js";

// src/launch-cli.ts
import { readdirSync, rmSync } from "node:fs";
import * as nodeModule from "node:module";
import { join } from "node:path";
var MAX_COMPILED_FILES = 200;
var dir = compileCacheDir(process.env, process.argv.slice(2));
var enable = nodeModule.enableCompileCache;
if (dir !== void 0 && enable !== void 0) {
  try {
    prune(dir);
  } catch {
  }
  try {
    enable(dir);
  } catch {
  }
}
function prune(directory) {
  for (const version of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, version.name);
    if (version.isDirectory() && readdirSync(path).length > MAX_COMPILED_FILES)
      rmSync(path, { recursive: true, force: true });
  }
}
await import("./chunk-HO26UH3R.js");
