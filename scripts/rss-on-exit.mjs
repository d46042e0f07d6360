// Preloaded by the benchmark (node --import): prints this process's peak RSS when it exits.
process.on('exit', () => {
  process.stderr.write(`bench:maxrss-kib=${process.resourceUsage().maxRSS}\n`)
})
