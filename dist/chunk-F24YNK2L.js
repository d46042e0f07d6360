import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  booleanWord
} from "./chunk-G7E3GDP2.js";

// src/cache-dirs.ts
import { homedir } from "node:os";
import { join } from "node:path";
function osvCacheDir(env) {
  if (env.CONTAINER_GATE_CACHE_DIR) return join(env.CONTAINER_GATE_CACHE_DIR, "osv");
  if (env.RUNNER_TOOL_CACHE) return join(env.RUNNER_TOOL_CACHE, "container-gate", "osv");
  return join(env.XDG_CACHE_HOME || join(homedir(), ".cache"), "container-gate", "osv");
}
function layerCacheDir(env) {
  if (env.CONTAINER_GATE_CACHE_DIR) return join(env.CONTAINER_GATE_CACHE_DIR, "layers");
  if (env.RUNNER_TOOL_CACHE) return join(env.RUNNER_TOOL_CACHE, "container-gate", "layers");
  const base = env.XDG_CACHE_HOME || (env.HOME ? join(env.HOME, ".cache") : void 0);
  return base === void 0 ? void 0 : join(base, "container-gate", "layers");
}
function compileCacheDir(env, argv = []) {
  const layers = layerCacheDir(env);
  return layers === void 0 || !layerCacheOn(argv) ? void 0 : join(layers, "..", "compile");
}
function layerCacheOn(argv) {
  let on = true;
  for (let i = 0; i < argv.length && argv[i] !== "--"; i++) {
    const arg = argv[i];
    if (arg === "--layer-cache") {
      const word = booleanWord(argv[i + 1] ?? "");
      on = word ?? true;
      if (word !== void 0) i++;
    } else if (arg.startsWith("--layer-cache=")) {
      on = booleanWord(arg.slice("--layer-cache=".length)) === true;
    }
  }
  return on;
}

export {
  osvCacheDir,
  layerCacheDir,
  compileCacheDir
};
