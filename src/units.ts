/** How sizes and counts are written in messages. */

/** Binary units, one decimal. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`
}

/** Two sizes for "X, over Y": exact bytes when rounding would print them equal ("1.0 MiB, over 1.0 MiB"). */
export function formatSizePair(size: number, limit: number): [string, string] {
  if (formatBytes(size) !== formatBytes(limit)) return [formatBytes(size), formatBytes(limit)]
  return [`${size} bytes`, `${limit} bytes`]
}

/** `1 finding`, `2 findings`. */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`
}
