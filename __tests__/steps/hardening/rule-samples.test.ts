/**
 * One true-positive and one true-negative sample per secret rule family added for issue 10, each
 * value generated here in the vendor's documented token format (random bodies, never a stored
 * credential). A sample states every rule it must set off, and nothing else may be found.
 */
import { describe, expect, it } from '@jest/globals'
import { tokenLike as random } from '../../../__fixtures__/tokens.js'
import { BUILT_IN_RULES } from '../../../src/secrets/rules.js'
import { SecretScanner } from '../../../src/secrets/scanner.js'

const scanner = new SecretScanner(BUILT_IN_RULES, { minEntropy: 3 })

const HEX = '0123456789abcdef'
const DIGITS = '0123456789'
const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'
const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'

/** A JWT's shape: base64url header and payload (both JSON objects, so `eyJ`) and a signature. */
function jwtLike(): string {
  return `eyJ${random(33, BASE64URL)}.eyJ${random(300, BASE64URL)}.${random(342, BASE64URL)}`
}

interface Sample {
  /** What the sample is, in the vendor's words. */
  name: string
  text: string
  path: string
  /** `rule severity` of every finding expected; empty for a true negative. */
  expected: string[]
}

function positive(name: string, text: string, expected: string, path = '/app/a.txt'): Sample {
  return { name, text, path, expected: [expected] }
}
function negative(name: string, text: string, path = '/app/a.txt'): Sample {
  return { name, text, path, expected: [] }
}

/** Built in a function so every value is drawn when the suite runs, not when the file loads. */
function samples(): Sample[] {
  const openAiBody = (): string => `${random(74, BASE64URL)}T3BlbkFJ${random(74, BASE64URL)}`
  const anthropicBody = `${random(40, BASE64URL)}T3BlbkFJ${random(45, BASE64URL)}`
  const acrBody = random(42, BASE64)
  return [
    // OpenAI: project, service account and admin keys; `sk-ant-`/`sk-or-` are not OpenAI's.
    positive(
      'OpenAI project key',
      `OPENAI_API_KEY=sk-proj-${openAiBody()}`,
      'openai-api-key critical'
    ),
    positive('OpenAI service account key', `sk-svcacct-${openAiBody()}`, 'openai-api-key critical'),
    positive('OpenAI admin key', `sk-admin-${openAiBody()}`, 'openai-api-key critical'),
    negative(
      "OpenRouter-prefixed key carrying OpenAI's marker",
      `sk-or-${random(30)}T3BlbkFJ${random(30)}`
    ),
    positive(
      "Anthropic key that happens to carry OpenAI's marker",
      `sk-ant-api03-${anthropicBody}AA`,
      'anthropic-api-key critical'
    ),
    positive(
      'Anthropic API key',
      `sk-ant-api03-${random(93, BASE64URL)}AA`,
      'anthropic-api-key critical'
    ),
    positive(
      'Anthropic admin key',
      `sk-ant-admin01-${random(93, BASE64URL)}AA`,
      'anthropic-api-key critical'
    ),
    negative('truncated Anthropic key', `sk-ant-api03-${random(40, BASE64URL)}`),
    positive('OpenRouter API key', `sk-or-v1-${random(64, HEX)}`, 'openrouter-api-key critical'),
    negative('OpenRouter key of the wrong length', `sk-or-v1-${random(40, HEX)}`),

    // Hugging Face.
    positive(
      'Hugging Face user access token',
      `HF_TOKEN=hf_${random(34, LETTERS)}`,
      'huggingface-token high'
    ),
    negative('Hugging Face prefix on a short word', `hf_${random(12, LETTERS)}`),
    positive(
      'Hugging Face organization token',
      `api_org_${random(34, LETTERS)}`,
      'huggingface-org-token high'
    ),
    negative('Hugging Face organization prefix on a short word', `api_org_${random(10, LETTERS)}`),

    // GitHub App installation tokens, classic and stateless (`ghs_<app id>_<JWT>`).
    positive('GitHub App installation token', `ghs_${random(36)}`, 'github-app-token critical'),
    positive(
      'GitHub App installation token in the stateless form',
      `GH_TOKEN=ghs_${random(7, DIGITS)}_${jwtLike()}`,
      'github-app-token critical'
    ),
    negative('GitHub App prefix without a JWT', `ghs_${random(6, DIGITS)}_${random(12)}`),

    // GitLab token types (docs: "GitLab token overview", token prefixes).
    positive(
      'GitLab CI/CD job token',
      `CI_JOB_TOKEN=glcbt-${random(2, HEX)}_${random(20, BASE64URL)}`,
      'gitlab-ci-job-token high'
    ),
    negative('GitLab CI/CD job prefix on a short value', `glcbt-${random(8)}`),
    positive(
      'GitLab incoming mail token',
      `glimt-${random(25)}`,
      'gitlab-incoming-mail-token medium'
    ),
    negative('GitLab incoming mail prefix on a short value', `glimt-${random(10)}`),
    positive(
      'GitLab feature flags client token',
      `glffct-${random(20)}`,
      'gitlab-feature-flags-client-token medium'
    ),
    negative('GitLab feature flags prefix on a short value', `glffct-${random(10)}`),
    positive(
      'GitLab session cookie',
      `Cookie: _gitlab_session=${random(32, HEX)}`,
      'gitlab-session-cookie high'
    ),
    negative('GitLab session cookie of the wrong length', `_gitlab_session=${random(20, HEX)}`),
    positive('GitLab deploy token', `gldt-${random(20)}`, 'gitlab-deploy-token high'),
    positive(
      'GitLab runner authentication token',
      `glrt-${random(20)}`,
      'gitlab-runner-token high'
    ),
    positive('GitLab SCIM token', `glsoat-${random(20)}`, 'gitlab-scim-token high'),
    positive(
      'GitLab OAuth application secret',
      `gloas-${random(64)}`,
      'gitlab-oauth-app-secret high'
    ),

    // Grafana.
    positive('Grafana Cloud token', `glc_${random(64, BASE64)}`, 'grafana-cloud-token high'),
    positive(
      'Grafana service account token',
      `glsa_${random(32)}_${random(8, HEX)}`,
      'grafana-service-account-token high'
    ),
    negative('Grafana service account token without its checksum', `glsa_${random(32)}`),

    // Slack legacy and configuration tokens.
    positive(
      'Slack legacy bot token',
      `xoxb-${random(12, DIGITS)}-${random(24, LETTERS)}`,
      'slack-legacy-bot-token high'
    ),
    positive(
      'Slack bot token (current form) is not also the legacy form',
      `xoxb-${random(12, DIGITS)}-${random(13, DIGITS)}-${random(24)}`,
      'slack-bot-token critical'
    ),
    negative(
      'Slack legacy bot prefix on a short value',
      `xoxb-${random(12, DIGITS)}-${random(8, LETTERS)}`
    ),
    positive('Slack legacy workspace token', `xoxa-2-${random(40)}`, 'slack-legacy-token high'),
    positive(
      'Slack configuration refresh token',
      `xoxe-1-${random(146, UPPER_ALNUM)}`,
      'slack-config-refresh-token high'
    ),
    negative(
      'Slack configuration refresh prefix on a short value',
      `xoxe-1-${random(60, UPPER_ALNUM)}`
    ),
    positive(
      'Slack configuration access token',
      `xoxe.xoxp-1-${random(164, UPPER_ALNUM)}`,
      'slack-config-token high'
    ),

    // Stripe.
    positive(
      'Stripe publishable key',
      `STRIPE_PUBLISHABLE_KEY=pk_live_${random(99)}`,
      'stripe-publishable-key low'
    ),
    negative('Stripe publishable prefix on a short value', `pk_live_${random(12)}`),
    positive('Stripe restricted key', `rk_live_${random(99)}`, 'stripe-live-key critical'),
    positive('Stripe sk_prod_ key', `sk_prod_${random(32)}`, 'stripe-live-key critical'),
    negative('Stripe sk_prod_ prefix on a short value', `sk_prod_${random(10)}`),

    // Private Packagist: prefix, 60 random hex characters, 8 hex characters of checksum.
    positive(
      'Private Packagist organization read-only token',
      `packagist_ort_${random(68, HEX)}`,
      'private-packagist-token high'
    ),
    positive(
      'Private Packagist user update token',
      `packagist_uut_${random(68, HEX)}`,
      'private-packagist-token high'
    ),
    negative('unknown Packagist prefix', `packagist_xyz_${random(68, HEX)}`),

    // Azure.
    positive(
      'Azure App Configuration connection string',
      `Endpoint=https://store-${random(6, HEX)}.azconfig.io;Id=${random(4)}-l0-s0:${random(20)};Secret=${random(43, BASE64)}=`,
      'azure-app-configuration-connection-string critical'
    ),
    negative(
      'Azure App Configuration connection string with a placeholder',
      'Endpoint=https://store.azconfig.io;Id=<id>;Secret=<secret>'
    ),
    positive(
      'Azure Container Registry access key',
      `docker login reg.azurecr.io -u reg -p ${acrBody}+ACRB${random(5, BASE64)}`,
      'azure-container-registry-key high'
    ),
    negative(
      'Azure Container Registry key without its signature',
      `-p ${acrBody}+ACXB${random(5, BASE64)}`
    ),

    // Docker config.json `auths.<registry>.auth`: base64 of `user:password`.
    positive(
      'Docker config.json registry auth',
      JSON.stringify({
        auths: { 'registry.example': { auth: Buffer.from(`me:${random(20)}`).toString('base64') } }
      }),
      'docker-config-auth critical',
      '/root/.docker/config.json'
    ),
    negative(
      'Docker config.json with a credential helper and no auth',
      JSON.stringify({ auths: { 'registry.example': {} }, credsStore: 'desktop' }),
      '/root/.docker/config.json'
    ),

    // Maven settings.xml and settings-security.xml.
    positive(
      'Maven GPG key passphrase on the next line',
      `<settings><servers><server><id>gpg.passphrase</id><passphrase>\n  ${random(20)}\n</passphrase></server></servers></settings>`,
      'maven-settings-password high',
      '/root/.m2/settings.xml'
    ),
    positive(
      'Maven master password',
      `<settingsSecurity><master>{${random(44, BASE64)}}</master></settingsSecurity>`,
      'maven-settings-password high',
      '/root/.m2/settings-security.xml'
    ),
    negative(
      'Maven passphrase read from the environment',
      '<settings><servers><server><passphrase>${env.GPG_PASSPHRASE}</passphrase></server></servers></settings>',
      '/root/.m2/settings.xml'
    ),

    // Google API keys; the Firebase SDK's published test key is an example, not a finding.
    positive('Google API key', `apiKey: "AIza${random(35, BASE64URL)}"`, 'gcp-api-key high'),
    negative('the Firebase SDK sample API key', 'apiKey: "AIzaSyAnLA7NfeLquW1tJFpx_eQCxoX-oo6YyIs"')
  ]
}

describe('secret rule samples in each vendor’s documented format', () => {
  it.each(samples().map((sample) => [sample.name, sample] as const))('%s', (_name, sample) => {
    const found = scanner.scan(sample.text, sample.path).map((m) => `${m.rule} ${m.severity}`)
    expect(found).toEqual(sample.expected)
  })
})
