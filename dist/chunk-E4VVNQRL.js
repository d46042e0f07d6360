import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  appendToCosignTag,
  attachBundle,
  findSignatures
} from "./chunk-6VHSWF6B.js";
import "./chunk-4FZYLJDC.js";
import "./chunk-RFSSKQPB.js";
import "./chunk-OW24XJO6.js";
import "./chunk-OFTD7UGI.js";
import "./chunk-VA35IVHB.js";
export {
  appendToCosignTag,
  attachBundle,
  findSignatures
};
