import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  appendToCosignTag,
  attachBundle,
  findSignatures
} from "./chunk-FDHDPRL4.js";
import "./chunk-XARHNG7W.js";
import "./chunk-RFSSKQPB.js";
import "./chunk-53I4RN7B.js";
import "./chunk-MSXTIOG5.js";
import "./chunk-S52CFNVZ.js";
import "./chunk-VA35IVHB.js";
export {
  appendToCosignTag,
  attachBundle,
  findSignatures
};
