import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  require_dist
} from "./chunk-GJUY5W35.js";
import "./chunk-SMPO66GR.js";
import "./chunk-V2EPHATJ.js";
import "./chunk-RFSSKQPB.js";
import "./chunk-TXBBKDNT.js";
import "./chunk-VA35IVHB.js";
export default require_dist();
