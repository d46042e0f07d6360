#!/usr/bin/env node
import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  compileCacheDir
} from "./chunk-74OAZQDR.js";
import "./chunk-VA35IVHB.js";

// src/launch-cli.ts
import * as nodeModule from "node:module";
var dir = compileCacheDir(process.env);
var enable = nodeModule.enableCompileCache;
try {
  if (dir !== void 0) enable?.(dir);
} catch {
}
await import("./chunk-JH7TUBP7.js");
