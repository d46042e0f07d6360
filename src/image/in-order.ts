/** Layers are independent (docs/architecture.md): read a few at once, keep their order. */

/** Layers read at once: enough to keep both cores busy while one layer waits on I/O. */
export const LAYER_CONCURRENCY = 2

/** Runs `task` over `items` with at most `limit` at a time; results keep the items' order. */
export async function mapInOrder<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T, index: number) => Promise<R>
): Promise<R[]> {
  const results = new Array<R>(items.length)
  let next = 0
  let failed = false
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const index = next++
      try {
        results[index] = await task(items[index]!, index)
      } catch (error) {
        failed = true
        throw error
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return results
}
