import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);

// src/errors.ts
var ConfigurationError = class extends Error {
  constructor(message, code = "CONFIGURATION", options) {
    super(message, options);
    this.code = code;
  }
  code;
  name = "ConfigurationError";
};
var ImageError = class extends Error {
  constructor(message, code = "IMAGE", options) {
    super(message, options);
    this.code = code;
  }
  code;
  name = "ImageError";
};
function isUserError(error) {
  return error instanceof ConfigurationError || error instanceof ImageError;
}

// src/image/types.ts
var MEDIA_TYPES = {
  ociManifest: "application/vnd.oci.image.manifest.v1+json",
  ociIndex: "application/vnd.oci.image.index.v1+json",
  ociConfig: "application/vnd.oci.image.config.v1+json",
  dockerManifest: "application/vnd.docker.distribution.manifest.v2+json",
  dockerManifestList: "application/vnd.docker.distribution.manifest.list.v2+json",
  dockerConfig: "application/vnd.docker.container.image.v1+json"
};

export {
  ConfigurationError,
  ImageError,
  isUserError,
  MEDIA_TYPES
};
