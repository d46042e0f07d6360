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
