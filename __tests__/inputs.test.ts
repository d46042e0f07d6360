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
