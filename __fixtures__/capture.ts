/** What the code under test writes to process.stdout and process.stderr, kept as text. */
import { jest } from '@jest/globals'

export interface CapturedOutput {
  stdout: string
  stderr: string
}

/** Replaces both writes with collectors until `jest.restoreAllMocks()`; nothing reaches the terminal. */
export function captureOutput(): CapturedOutput {
  const output: CapturedOutput = { stdout: '', stderr: '' }
  for (const stream of ['stdout', 'stderr'] as const) {
    jest
      .spyOn(process[stream], 'write')
      .mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
        output[stream] += chunk.toString()
        // As a real stream does: the write callback (last argument) runs once the chunk is taken.
        const callback = rest.at(-1)
        if (typeof callback === 'function') process.nextTick(callback as () => void)
        return true
      })
  }
  return output
}
