import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  appendToCosignTag,
  attachBundle,
  findSignatures
} from "./chunk-P7C36VYT.js";
import "./chunk-4FZYLJDC.js";
import "./chunk-RFSSKQPB.js";
import "./chunk-ULJ2Y7P2.js";
import "./chunk-OFTD7UGI.js";
import "./chunk-VA35IVHB.js";
export {
  appendToCosignTag,
  attachBundle,
  findSignatures
};
