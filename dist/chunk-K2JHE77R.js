import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  imageManifest,
  manifestCommand
} from "./chunk-A7MX6PMS.js";
import "./chunk-JMR2VCQE.js";
import "./chunk-KNTB7XML.js";
import "./chunk-3IOMCQDV.js";
import "./chunk-74OAZQDR.js";
import "./chunk-AWOW4I4N.js";
import "./chunk-B3ZN5P2E.js";
import "./chunk-VL565ZM7.js";
import "./chunk-ULJ2Y7P2.js";
import "./chunk-OFTD7UGI.js";
import "./chunk-TXBBKDNT.js";
import "./chunk-VA35IVHB.js";
export {
  imageManifest,
  manifestCommand
};
