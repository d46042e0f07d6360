import config, { SLOW_SUITES, SYSTEM_SUITES } from './jest.config.js'

/** `npm run test:unit`: the quick hermetic suites, which need nothing but Node. */
export default {
  ...config,
  // Anchored at the root so each entry names one file or folder of suites.
  testPathIgnorePatterns: [
    '/node_modules/',
    ...[...SYSTEM_SUITES, ...SLOW_SUITES].map((path) => `<rootDir>/${path}`)
  ]
}
