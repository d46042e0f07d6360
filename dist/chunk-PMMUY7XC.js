import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  imageManifest,
  manifestCommand
} from "./chunk-2VSKZEH5.js";
import "./chunk-I5XOROZI.js";
import "./chunk-YXRQY5ZY.js";
import "./chunk-3LIBBK73.js";
import "./chunk-F24YNK2L.js";
import "./chunk-G7E3GDP2.js";
import "./chunk-SWMUZOAG.js";
import "./chunk-B3ZN5P2E.js";
import "./chunk-PUWYYOVB.js";
import "./chunk-53I4RN7B.js";
import "./chunk-MSXTIOG5.js";
import "./chunk-S52CFNVZ.js";
import "./chunk-TXBBKDNT.js";
import "./chunk-VA35IVHB.js";
export {
  imageManifest,
  manifestCommand
};
