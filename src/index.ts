import { run } from './action.js'
import { exitAfterGrace } from './deadline.js'

await run()
exitAfterGrace((line) => process.stderr.write(line))
