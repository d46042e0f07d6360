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

export {
  ConfigurationError,
  ImageError,
  isUserError
};
