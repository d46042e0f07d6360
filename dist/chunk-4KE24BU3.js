import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  attestImage,
  signImage
} from "./chunk-F2TY5LEP.js";
import "./chunk-6VHSWF6B.js";
import "./chunk-4FZYLJDC.js";
import "./chunk-GJUY5W35.js";
import "./chunk-SMPO66GR.js";
import "./chunk-V2EPHATJ.js";
import "./chunk-RFSSKQPB.js";
import {
  DEFAULT_FULCIO_URL,
  DEFAULT_REKOR_URL
} from "./chunk-KLUAJPPH.js";
import "./chunk-B3ZN5P2E.js";
import "./chunk-VL565ZM7.js";
import "./chunk-OW24XJO6.js";
import "./chunk-OFTD7UGI.js";
import "./chunk-TXBBKDNT.js";
import "./chunk-VA35IVHB.js";
export {
  DEFAULT_FULCIO_URL,
  DEFAULT_REKOR_URL,
  attestImage,
  signImage
};
