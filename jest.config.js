/**
 * Suites that start a system tool (gcc, openssl, tar, rpm, dpkg, java, python3 references), a real
 * registry (docker-registry, skopeo) or read this machine's Debian files. `npm test` runs them and
 * each skips with a message where its tool is missing; `npm run test:unit` leaves them out.
 */
export const SYSTEM_SUITES = [
  '__tests__/custody/base-image.test.ts',
  '__tests__/custody/cli-sign-verify.test.ts',
  '__tests__/custody/registry-signing.test.ts',
  '__tests__/hostile/records.test.ts',
  '__tests__/image/layer-cache.test.ts',
  '__tests__/image/layer-tar.test.ts',
  '__tests__/image/registry.test.ts',
  '__tests__/image/sources.test.ts',
  '__tests__/report/junit.test.ts',
  '__tests__/steps/code/big-elf.test.ts',
  '__tests__/steps/code/elf.test.ts',
  '__tests__/steps/code/step.test.ts',
  '__tests__/steps/composition/catalog/debian-root.test.ts',
  '__tests__/steps/composition/catalog/dpkg.test.ts',
  '__tests__/steps/composition/catalog/language.test.ts',
  '__tests__/steps/composition/catalog/os.test.ts',
  '__tests__/steps/composition/catalog/rpm.test.ts',
  '__tests__/steps/composition/versions/versions.test.ts',
  '__tests__/steps/hardening/debian.test.ts',
  '__tests__/steps/hardening/scanner.test.ts',
  '__tests__/steps/hardening/step.test.ts'
]

/**
 * Hermetic suites that wait out real deadlines or scan large generated inputs (tens of seconds
 * each): `npm test` runs them, `npm run test:unit` leaves them out to stay a quick loop.
 */
export const SLOW_SUITES = ['__tests__/faults/', '__tests__/hostile/secrets.test.ts']

/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': [
      'ts-jest',
      { useESM: true, tsconfig: 'tsconfig.json', diagnostics: { ignoreCodes: ['TS151001'] } }
    ]
  },
  testMatch: ['**/__tests__/**/*.test.ts'],
  testTimeout: 60000,
  maxWorkers: 2
}
