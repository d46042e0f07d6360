import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  attestImage,
  signImage
} from "./chunk-PPCVOOLV.js";
import "./chunk-FDHDPRL4.js";
import "./chunk-XARHNG7W.js";
import "./chunk-GJUY5W35.js";
import "./chunk-SMPO66GR.js";
import "./chunk-V2EPHATJ.js";
import "./chunk-RFSSKQPB.js";
import {
  DEFAULT_FULCIO_URL,
  DEFAULT_REKOR_URL
} from "./chunk-SWMUZOAG.js";
import "./chunk-B3ZN5P2E.js";
import "./chunk-PUWYYOVB.js";
import "./chunk-53I4RN7B.js";
import "./chunk-MSXTIOG5.js";
import "./chunk-S52CFNVZ.js";
import "./chunk-TXBBKDNT.js";
import "./chunk-VA35IVHB.js";
export {
  DEFAULT_FULCIO_URL,
  DEFAULT_REKOR_URL,
  attestImage,
  signImage
};
