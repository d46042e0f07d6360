/** Token-shaped strings for secret-scanner tests: deterministic, so every run tests the same values. */
import { createHash } from 'node:crypto'

let draws = 0

export function tokenLike(
  length: number,
  alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
): string {
  const bytes: number[] = []
  while (bytes.length < length) {
    bytes.push(...createHash('sha256').update(`token-${draws++}`).digest())
  }
  return bytes
    .slice(0, length)
    .map((byte) => alphabet[byte % alphabet.length])
    .join('')
}
