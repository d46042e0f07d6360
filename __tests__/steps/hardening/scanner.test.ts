import { describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { missingTools } from '../../../__fixtures__/registry.js'
import { tokenLike as random } from '../../../__fixtures__/tokens.js'
import { BUILT_IN_RULES } from '../../../src/secrets/rules.js'
import { redactCreatedBy } from '../../../src/secrets/config.js'
import { KeywordAutomaton, redact, SecretScanner } from '../../../src/secrets/scanner.js'

const scanner = new SecretScanner(BUILT_IN_RULES, { minEntropy: 3 })

/** `rule severity` for each match: the shortest exact statement of what was found. */
function found(text: string, path = '/app/config.txt'): string[] {
  return scanner.scan(text, path).map((match) => `${match.rule} ${match.severity}`)
}

/** Random characters from `alphabet`: token bodies are made at test time, never stored. */
const HEX = '0123456789abcdef'
const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'

describe('secret rules', () => {
  it('has at least 80 built-in rules with unique kebab-case ids and keywords', () => {
    expect(BUILT_IN_RULES.length).toBeGreaterThanOrEqual(80)
    const ids = BUILT_IN_RULES.map((rule) => rule.id)
    expect(new Set(ids).size).toBe(ids.length)
    for (const rule of BUILT_IN_RULES) {
      expect(rule.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/)
      expect(rule.keywords.length).toBeGreaterThan(0)
      expect(rule.keywords.every((keyword) => keyword === keyword.toLowerCase())).toBe(true)
    }
  })

  it.each([
    [
      'AWS access key ID alone',
      `key_id: AKIA${random(16, UPPER)}`,
      '/app/a.txt',
      ['aws-access-key-id medium']
    ],
    [
      'AWS key pair (the ID folds into the secret)',
      `aws_access_key_id = AKIA${random(16, UPPER)}\naws_secret_access_key = ${random(40, BASE64)}\n`,
      '/root/.aws/credentials',
      ['aws-secret-access-key critical']
    ],
    [
      'GCP service account JSON',
      `{"type": "service_account", "project_id": "p", "private_key_id": "${random(40, HEX)}"}`,
      '/app/sa.json',
      ['gcp-service-account critical']
    ],
    [
      'Azure storage connection string',
      `DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=${random(86, BASE64)}==;EndpointSuffix=core.windows.net`,
      '/app/a.txt',
      ['azure-storage-account-key critical']
    ],
    [
      'Azure Service Bus connection string',
      `Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=Root;SharedAccessKey=${random(43, BASE64)}=`,
      '/app/a.txt',
      ['azure-connection-string critical']
    ],
    ['GitHub classic PAT', `token ghp_${random(36)}`, '/app/a.txt', ['github-pat critical']],
    // GitHub tells integrators to accept tokens of up to 255 characters.
    [
      'GitHub classic PAT, longer',
      `token ghp_${random(60)}`,
      '/app/a.txt',
      ['github-pat critical']
    ],
    ['GitHub PAT past 255 characters', `ghp_${random(252)}`, '/app/a.txt', []],
    [
      'GitHub fine-grained PAT',
      `github_pat_${random(82)}`,
      '/app/a.txt',
      ['github-fine-grained-pat critical']
    ],
    ['GitHub OAuth token', `gho_${random(36)}`, '/app/a.txt', ['github-oauth-token critical']],
    ['GitHub App token', `ghs_${random(36)}`, '/app/a.txt', ['github-app-token critical']],
    ['GitLab PAT', `glpat-${random(20)}`, '/app/a.txt', ['gitlab-pat critical']],
    [
      'Slack bot token',
      `xoxb-${random(12, '0123456789')}-${random(12, '0123456789')}-${random(24)}`,
      '/app/a.txt',
      ['slack-bot-token critical']
    ],
    [
      'Slack webhook',
      `https://hooks.slack.com/services/T${random(8, UPPER)}/B${random(8, UPPER)}/${random(24)}`,
      '/app/a.txt',
      ['slack-webhook high']
    ],
    ['Stripe live key', `sk_live_${random(24)}`, '/app/a.txt', ['stripe-live-key critical']],
    [
      'Twilio API key',
      `TWILIO_API_KEY=SK${random(32, HEX)}`,
      '/app/a.txt',
      ['twilio-api-key high']
    ],
    [
      'SendGrid API key',
      `SG.${random(22)}.${random(43)}`,
      '/app/a.txt',
      ['sendgrid-api-key critical']
    ],
    ['npm token', `npm_${random(36)}`, '/app/a.txt', ['npm-token critical']],
    ['PyPI token', `pypi-AgEIcHlwaS5vcmc${random(60)}`, '/app/a.txt', ['pypi-token critical']],
    ['RubyGems key', `rubygems_${random(48, HEX)}`, '/app/a.txt', ['rubygems-token critical']],
    [
      'NuGet key',
      `oy2${random(43, 'abcdefghijklmnopqrstuvwxyz0123456789')}`,
      '/app/a.txt',
      ['nuget-api-key high']
    ],
    [
      '.npmrc auth token',
      `//registry.npmjs.org/:_authToken=${random(32)}\n`,
      '/home/app/.npmrc',
      ['npmrc-auth high']
    ],
    [
      '.pypirc password',
      `[pypi]\nusername = me\npassword = ${random(16)}\n`,
      '/root/.pypirc',
      ['pypirc-password high']
    ],
    [
      '.netrc password',
      `machine example.com login me password ${random(16)}\n`,
      '/root/.netrc',
      ['netrc-password high']
    ],
    [
      'Docker config.json auths',
      `{"auths": {"ghcr.io": {"auth": "${Buffer.from(`me:${random(20)}`).toString('base64')}"}}}`,
      '/root/.docker/config.json',
      ['docker-config-auth critical']
    ],
    [
      'JWT',
      `Authorization header value eyJ${random(20)}.eyJ${random(30)}.${random(43)}`,
      '/app/a.txt',
      ['jwt medium']
    ],
    [
      'database URL with a password',
      `DATABASE_URL=postgres://app:${random(16)}@db.internal:5432/app`,
      '/app/a.txt',
      ['database-url high']
    ],
    [
      'password assignment in a config file',
      `db_password = "${random(20)}"`,
      '/etc/app/app.conf',
      ['password-assignment medium']
    ],
    ['.env file', `API_TOKEN=${random(24)}\n`, '/app/.env', ['dotenv-secret high']],
    [
      'git remote with a token',
      `[remote "origin"]\n\turl = https://me:${random(20)}@github.com/o/r.git\n`,
      '/app/.git/config',
      ['git-config-credentials high']
    ],
    [
      'htpasswd',
      `admin:$apr1$${random(8)}$${random(22)}\n`,
      '/etc/nginx/.htpasswd',
      ['htpasswd-hash high']
    ],
    [
      'kubeconfig token',
      `apiVersion: v1\nkind: Config\nusers:\n- name: u\n  user:\n    token: ${random(40)}\n`,
      '/root/.kube/config',
      ['kubeconfig-credential critical']
    ],
    [
      'Kubernetes Secret manifest',
      `apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n  password: ${Buffer.from(random(16)).toString('base64')}\n`,
      '/app/k8s/secret.yaml',
      ['kubernetes-secret high']
    ],
    [
      'OpenAI key',
      `sk-proj-${random(40)}T3BlbkFJ${random(40)}`,
      '/app/a.txt',
      ['openai-api-key critical']
    ],
    ['Vault token', `hvs.${random(95)}`, '/app/a.txt', ['hashicorp-vault-token critical']],
    [
      'Maven server password between spaces and lines',
      `<settings><servers><server><id>x</id><password>\n    ${random(20)}\n  </password></server></servers></settings>`,
      '/root/.m2/settings.xml',
      ['maven-settings-password high']
    ],
    [
      'Azure SAS URL',
      `https://acct.blob.core.windows.net/c?sv=2022-11-02&ss=b&srt=co&sp=rl&se=2030-01-01T00:00:00Z&sig=${random(43, BASE64)}%3D`,
      '/app/a.txt',
      ['azure-sas-token high']
    ],
    [
      'Kubernetes Secret manifest with a blank line after data',
      `apiVersion: v1\nkind: Secret\ndata:\n\n  token: ${Buffer.from(random(24)).toString('base64')}\n`,
      '/app/k8s/secret.yaml',
      ['kubernetes-secret high']
    ],
    [
      'AWS session token',
      `aws_session_token = ${random(300, BASE64)}\n`,
      '/root/.aws/credentials',
      ['aws-session-token high']
    ]
  ])('finds a %s', (_name, text, path, expected) => {
    expect(found(text, path)).toEqual(expected)
  })

  it.each([
    ['the AWS documentation example key', 'aws_access_key_id = AKIAIOSFODNN7EXAMPLE'],
    [
      'the AWS documentation example secret',
      'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'
    ],
    ['a template reference', 'db_password = ${DB_PASSWORD}'],
    ['an angle-bracket placeholder', 'api_key: <your-token>'],
    ['changeme', 'admin_password=changeme'],
    ['a value read from the environment', 'secret_key = os.environ.get(SECRET_KEY)'],
    ['a path to a secret file', 'password_file: /run/secrets/db_password'],
    ['a token of one repeated character', `ghp_${'x'.repeat(36)}`],
    ['a PEM header without a key body', 'if line.startswith("-----BEGIN RSA PRIVATE KEY-----"):'],
    ['a database URL with a placeholder password', 'postgres://user:password@localhost/db'],
    [
      "a path built on a variable (the stock openssl.cnf's private_key)",
      'private_key\t= $dir/private/cakey.pem# The private key'
    ],
    ['a path built on a command substitution', 'ssl_key = $(PWD)/certs/server.key'],
    ['a Python %-format reference', 'password = %(db_password)s']
  ])('ignores %s', (_name, text) => {
    expect(found(text, '/etc/app/app.conf')).toEqual([])
  })

  // Debian's openssl package ships it; clean base images must give no secret finding at all.
  const opensslCnf = '/etc/ssl/openssl.cnf'
  const opensslMissing = existsSync(opensslCnf)
    ? undefined
    : `${opensslCnf} not found (apt-get install -y openssl)`
  ;(opensslMissing === undefined ? it : it.skip)(
    "finds nothing in the distribution's stock openssl.cnf",
    () => {
      expect(found(readFileSync(opensslCnf, 'latin1'), opensslCnf)).toEqual([])
    }
  )
  if (opensslMissing !== undefined) console.warn(`skipped: ${opensslMissing}`)

  it('reports a value only as its first characters and length, with a one-way hash', () => {
    const token = `ghp_${random(36)}`
    const [match] = scanner.scan(`line one\nGITHUB_TOKEN=${token}\n`, '/app/a.txt')
    expect(match).toEqual({
      rule: 'github-pat',
      title: 'GitHub personal access token (classic)',
      severity: 'critical',
      redacted: 'ghp_… (40 characters)',
      hash: expect.stringMatching(/^[0-9a-f]{12}$/),
      line: 2
    })
    expect(JSON.stringify(match)).not.toContain(token.slice(4))
    expect(scanner.scan(token, '/other')[0]?.hash).toBe(match?.hash)
  })

  it.each([
    ['a 40-character token', 'a'.repeat(40), 'aaaa… (40 characters)'],
    ['an 8-character password', 'hunter22', 'hu… (8 characters)'],
    ['a 3-character value', 'abc', '… (3 characters)']
  ])('redacts %s to at most a quarter of it', (_name, value, expected) => {
    expect(redact(value)).toBe(expected)
  })

  it('redacts secrets in a text and leaves the rest', () => {
    const token = `glpat-${random(20)}`
    expect(scanner.redactText(`curl -H "PRIVATE-TOKEN: ${token}" https://gitlab.example`)).toBe(
      'curl -H "PRIVATE-TOKEN: [glpa… (26 characters)]" https://gitlab.example'
    )
  })
})

const keyTools = missingTools(['openssl', 'ssh-keygen'])
if (keyTools !== undefined) {
  console.warn(`private key tests ${keyTools} (ssh-keygen: apt-get install -y openssh-client)`)
}
const describeWithKeyTools = keyTools === undefined ? describe : describe.skip

describeWithKeyTools('private keys generated by openssl and ssh-keygen', () => {
  it('tells key formats apart and marks passphrase-protected keys high, not critical', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hardening-keys-'))
    try {
      const openssl = (...args: string[]): string =>
        execFileSync('openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      const rsa = openssl('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:1024')
      const ecTraditional = openssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout')
      const encrypted = execFileSync(
        'openssl',
        ['pkcs8', '-topk8', '-v2', 'aes-256-cbc', '-passout', 'pass:correct-horse'],
        { input: rsa, encoding: 'utf8' }
      )
      const traditionalEncrypted = execFileSync(
        'openssl',
        ['rsa', '-traditional', '-aes256', '-passout', 'pass:correct-horse'],
        { input: rsa, encoding: 'utf8', stdio: ['pipe', 'pipe', 'ignore'] }
      )
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'plain')])
      execFileSync('ssh-keygen', [
        '-q',
        '-t',
        'ed25519',
        '-N',
        'correct-horse',
        '-f',
        join(dir, 'locked')
      ])
      writeFileSync(join(dir, 'rsa.pem'), rsa)
      const certificate = openssl(
        'req',
        '-x509',
        '-key',
        join(dir, 'rsa.pem'),
        '-subj',
        '/CN=test',
        '-days',
        '1'
      )

      const cases: Array<[string, string]> = [
        [rsa, 'private-key-pkcs8 critical'],
        [ecTraditional, 'private-key-ec critical'],
        [encrypted, 'private-key-encrypted high'],
        [traditionalEncrypted, 'private-key-rsa high'],
        [readFileSync(join(dir, 'plain'), 'utf8'), 'private-key-openssh critical'],
        [readFileSync(join(dir, 'locked'), 'utf8'), 'private-key-openssh high']
      ]
      for (const [key, expected] of cases) expect(found(key, '/app/key.pem')).toEqual([expected])
      expect(scanner.scan(traditionalEncrypted, '/k')[0]?.title).toBe('RSA private key (encrypted)')
      // Public material is not a secret.
      expect(found(certificate, '/etc/ssl/certs/test.pem')).toEqual([])
      expect(found(readFileSync(join(dir, 'plain.pub'), 'utf8'), '/root/.ssh/id.pub')).toEqual([])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('redactCreatedBy', () => {
  it('hides every token, however many a build step holds', () => {
    const tokens = Array.from({ length: 30 }, () => `ghp_${random(36)}`)
    const redacted = redactCreatedBy(`RUN /bin/sh -c echo ${tokens.join(' ')}`)
    for (const token of tokens) expect(redacted).not.toContain(token)
  })

  it('hides values a finding would pass over as placeholders or documentation', () => {
    // Findings leave out what looks like an example; printing it would leak it if it is not one.
    const values = [
      `https://deploy:Secret-${random(12)}@git.example.com/a.tgz`,
      `postgres://app:${random(16)}@db.test:5432/app`,
      `ghp_${random(20)}${'0'.repeat(16)}`
    ]
    const redacted = redactCreatedBy(`RUN /bin/sh -c fetch ${values.join(' ')}`)
    expect(redacted).not.toContain(values[0]!.slice(15, 35))
    expect(redacted).not.toContain(values[1]!.slice(15, 31))
    expect(redacted).not.toContain(values[2])
  })

  it('hides a credential-named build argument whose value has spaces', () => {
    const redacted = redactCreatedBy(
      'RUN |2 DB_PASSWORD=correct horse battery staple MODE=prod /bin/sh -c ./migrate'
    )
    expect(redacted).toBe(
      'RUN |2 DB_PASSWORD=[corr… (28 characters)] MODE=prod /bin/sh -c ./migrate'
    )
  })
})

describe('vendor examples and neighbouring prefixes', () => {
  it.each([
    // Published in the Firebase SDKs' tests and samples (gitleaks allow-lists them too).
    ['AIzaSyAnLA7NfeLquW1tJFpx_eQCxoX-oo6YyIs'],
    ['AIzaSyA8vmApnrHNFE0bApF4hoZ11srVL_n0nvY']
  ])('ignores the Firebase sample API key %s', (key) => {
    expect(found(`"apiKey": "${key}"`, '/app/google-services.json')).toEqual([])
  })

  it('leaves an sk- key of another vendor to that vendor even when it holds OpenAI’s marker', () => {
    const marker = `${random(30)}T3BlbkFJ${random(30)}`
    expect(found(`sk-proj-${marker}`)).toEqual(['openai-api-key critical'])
    expect(found(`sk-or-${marker}`)).toEqual([])
    expect(found(`sk-ant-${marker}`)).toEqual([])
  })
})

describe('KeywordAutomaton', () => {
  it('finds exactly the keywords a case-insensitive substring search finds', () => {
    const keywords = [
      ...new Set([...BUILT_IN_RULES.flatMap((rule) => rule.keywords), 'he', 'she', 'his', 'hers'])
    ]
    const automaton = new KeywordAutomaton(keywords)
    // Texts from the keywords' own characters (upper and lower case), so that matches, overlaps
    // and failure links are exercised; a fixed seed keeps the run reproducible.
    const alphabet = [...new Set(keywords.join('') + keywords.join('').toUpperCase() + ' =\n')]
    let seed = 12345
    const pick = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n)
    for (let round = 0; round < 300; round++) {
      const parts = Array.from({ length: 1 + pick(12) }, () =>
        pick(3) === 0
          ? keywords[pick(keywords.length)]!.toUpperCase()
          : Array.from({ length: pick(6) }, () => alphabet[pick(alphabet.length)]).join('')
      )
      const text = parts.join(pick(2) === 0 ? '' : alphabet[pick(alphabet.length)]!)
      const seen = new Uint8Array(keywords.length)
      const found = automaton.find(text, seen)
      const lower = text.toLowerCase()
      const expected = keywords.map((keyword) => (lower.includes(keyword) ? 1 : 0))
      expect([...seen]).toEqual(expected)
      expect(found).toBe(expected.includes(1))
    }
  })
})
