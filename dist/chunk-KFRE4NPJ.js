import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  imageManifest,
  manifestCommand
} from "./chunk-OU5XJT26.js";
import "./chunk-S6HXGI77.js";
import "./chunk-YO3LPBL2.js";
import "./chunk-D74DDU4O.js";
import "./chunk-KLUAJPPH.js";
import "./chunk-B3ZN5P2E.js";
import "./chunk-VL565ZM7.js";
import "./chunk-OW24XJO6.js";
import "./chunk-OFTD7UGI.js";
import "./chunk-TXBBKDNT.js";
import "./chunk-VA35IVHB.js";
export {
  imageManifest,
  manifestCommand
};
