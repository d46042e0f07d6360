import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  attestImage,
  signImage
} from "./chunk-6CF2QVKY.js";
import "./chunk-P7C36VYT.js";
import "./chunk-4FZYLJDC.js";
import "./chunk-GJUY5W35.js";
import "./chunk-SMPO66GR.js";
import "./chunk-V2EPHATJ.js";
import "./chunk-RFSSKQPB.js";
import {
  DEFAULT_FULCIO_URL,
  DEFAULT_REKOR_URL
} from "./chunk-AWOW4I4N.js";
import "./chunk-B3ZN5P2E.js";
import "./chunk-VL565ZM7.js";
import "./chunk-ULJ2Y7P2.js";
import "./chunk-OFTD7UGI.js";
import "./chunk-TXBBKDNT.js";
import "./chunk-VA35IVHB.js";
export {
  DEFAULT_FULCIO_URL,
  DEFAULT_REKOR_URL,
  attestImage,
  signImage
};
