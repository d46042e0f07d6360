import { describe, expect, it } from '@jest/globals'
import { parseRunInputs } from '../src/inputs.js'

function inputs(values: Record<string, string>) {
  return parseRunInputs((name) => values[name], '/nonexistent-workspace')
}

describe('registry credentials', () => {
  it.each([
    ['ghcr.io/org/app:1', {}, 'ghcr.io'],
    ['docker://127.0.0.1:5000/app:1', {}, '127.0.0.1:5000'],
    ['alpine:3.20', {}, 'docker.io'],
    ['oci-archive:app.tar', { 'signature-repository': 'registry.example/app' }, 'registry.example']
  ])('binds them to the registry of %s', (image, extra, host) => {
    const parsed = inputs({
      image,
      'registry-username': 'u',
      'registry-password': 'p',
      ...extra
    })
    expect(parsed.credentials).toEqual({ username: 'u', password: 'p', host })
  })
})

describe('signing', () => {
  it('is refused before the scan when the image is not in a registry', () => {
    expect(() => inputs({ image: 'oci-archive:app.tar', sign: 'true' })).toThrow(
      'input "sign" is true but oci-archive:app.tar is not in a registry; gate the pushed image, or set signature-repository.'
    )
  })

  it('is accepted for an archive with a signature repository', () => {
    const parsed = inputs({
      image: 'oci-archive:app.tar',
      sign: 'true',
      'signature-repository': 'registry.example/app'
    })
    expect(parsed.policy.custody.sign).toBe(true)
  })
})

describe('timeout', () => {
  it.each([
    [undefined, 30 * 60_000],
    ['90s', 90_000],
    ['30m', 30 * 60_000],
    ['1h', 3_600_000],
    ['45', 45_000],
    ['24h', 24 * 3_600_000]
  ])('reads %j as %d ms', (value, ms) => {
    const parsed = inputs({ image: 'oci:x', ...(value === undefined ? {} : { timeout: value }) })
    expect(parsed.timeoutMs).toBe(ms)
  })

  it.each(['0', '0s', '25h', '1.5h', '10d', 'soon', '-5'])(
    'refuses %j naming the input',
    (value) => {
      expect(() => inputs({ image: 'oci:x', timeout: value })).toThrow(
        `input "timeout" is "${value}"; give a duration above zero and at most 24h, such as 90s, 30m, 1h or plain seconds.`
      )
    }
  )
})
