import js from '@eslint/js'
import tseslint from 'typescript-eslint'

const STEPS = ['identity', 'tests', 'code', 'composition', 'hardening', 'custody']
const GITHUB_ONLY = {
  group: ['@actions/*'],
  message: 'Only src/github/ and src/action.ts talk to GitHub.'
}

/**
 * A step never imports another step: what two steps share (OS accounts, package databases,
 * secret rules) lives below the steps, in src/os/ and src/secrets/.
 */
const stepBoundaries = STEPS.map((step) => ({
  files: [`src/steps/${step}/**`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          GITHUB_ONLY,
          ...STEPS.filter((other) => other !== step).map((other) => ({
            group: [
              `../${other}/*`,
              `../../${other}/*`,
              `../../../steps/${other}/*`,
              `../../steps/${other}/*`
            ],
            message: `A step does not import another step (${step} → ${other}); move what they share below src/steps/.`
          }))
        ]
      }
    ]
  }
}))

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'demo/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-restricted-imports': [
        'error',
        {
          patterns: [GITHUB_ONLY]
        }
      ]
    }
  },
  ...stepBoundaries,
  {
    files: ['src/github/**', 'src/action.ts', '__tests__/**', '__fixtures__/**'],
    rules: { 'no-restricted-imports': 'off' }
  },
  {
    files: ['__tests__/**', '__fixtures__/**', 'scripts/**'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' }
  }
)
