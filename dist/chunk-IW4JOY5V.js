import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  imageManifest,
  manifestCommand
} from "./chunk-QWUPQ4QK.js";
import "./chunk-YXOTF5Q4.js";
import "./chunk-4X4RID7O.js";
import "./chunk-LHTIQMPJ.js";
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
