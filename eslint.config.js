import js from '@eslint/js'
import tseslint from 'typescript-eslint'

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
          patterns: [
            { group: ['@actions/*'], message: 'Only src/github/ and src/action.ts talk to GitHub.' }
          ]
        }
      ]
    }
  },
  {
    files: ['src/github/**', 'src/action.ts', '__tests__/**', '__fixtures__/**'],
    rules: { 'no-restricted-imports': 'off' }
  },
  {
    files: ['__tests__/**', '__fixtures__/**', 'scripts/**'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' }
  }
)
