/** Kept equal to package.json's version (a test checks it); reported in every report. */
export const VERSION = '0.1.0'
