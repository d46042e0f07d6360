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
const LOWER_ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789'
const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'

function base64(text: string): string {
  return Buffer.from(text).toString('base64')
}

function uuid(): string {
  return [8, 4, 4, 4, 12].map((n) => random(n, HEX)).join('-')
}

/** A binary key as PHP writes it in Symfony's vault: each byte as `\\xNN` (from percent-encoding). */
function escapedBytes(count: number): string {
  return random(count * 2, HEX).replace(/(..)/g, '\\x$1')
}

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
      "Maven's stock settings.xml: commented-out examples",
      `<settings>\n  <servers>\n    <!-- server\n     |\n    <server>\n      <id>deploymentRepo</id>\n      <username>repouser</username>\n      <password>${random(12)}</password>\n    </server>\n    -->\n  </servers>\n</settings>`,
      '/etc/maven/settings.xml'
    ),
    positive(
      'Maven password after a comment',
      `<settings><!-- the deploy server --><servers><server><password>${random(16)}</password></server></servers></settings>`,
      'maven-settings-password high',
      '/root/.m2/settings.xml'
    ),
    negative(
      'PostgreSQL password_encryption setting',
      '#password_encryption = scram-sha-256\t# scram-sha-256 or md5\n',
      '/etc/postgresql/15/main/postgresql.conf'
    ),
    // A file that exists to hold credentials holds one, whatever words it is made of.
    positive(
      'Maven password made of words',
      '<settings><servers><server><password>plainSecret</password></server></servers></settings>',
      'maven-settings-password medium',
      '/root/.m2/settings.xml'
    ),
    positive(
      '.netrc password with a placeholder word in it',
      'machine build.internal login ci password Summer2024Password\n',
      'netrc-password medium',
      '/root/.netrc'
    ),
    negative(
      'Maven password that is only placeholder words',
      '<settings><servers><server><password>your-password-here</password></server></servers></settings>',
      '/root/.m2/settings.xml'
    ),
    negative(
      'Maven password too short to be more than a test value',
      '<settings><servers><server><password>test1</password></server></servers></settings>',
      '/root/.m2/settings.xml'
    ),
    negative(
      'Maven passphrase read from the environment',
      '<settings><servers><server><passphrase>${env.GPG_PASSPHRASE}</passphrase></server></servers></settings>',
      '/root/.m2/settings.xml'
    ),

    // Google API keys; the Firebase SDK's published test key is an example, not a finding.
    positive('Google API key', `apiKey: "AIza${random(35, BASE64URL)}"`, 'gcp-api-key high'),
    negative(
      'the Firebase SDK sample API key',
      'apiKey: "AIzaSyAnLA7NfeLquW1tJFpx_eQCxoX-oo6YyIs"'
    ),

    // OpenAI Realtime client secrets (`client_secret.value`, `ek_` and 32 hex digits).
    positive(
      'OpenAI Realtime ephemeral key',
      `{"client_secret": {"value": "ek_${random(32, HEX)}"}}`,
      'openai-ephemeral-key medium'
    ),
    negative('OpenAI ephemeral prefix on a short value', `ek_${random(20, HEX)}`),

    // Amazon Bedrock API keys: `ABSK` + base64 of `BedrockAPIKey-…`, and short-term pre-signed URLs.
    positive(
      'Amazon Bedrock long-term API key',
      `AWS_BEARER_TOKEN_BEDROCK=ABSK${base64(`BedrockAPIKey-${random(4)}-at-${random(12, DIGITS)}:${random(44, BASE64)}`)}`,
      'aws-bedrock-api-key critical'
    ),
    negative('ABSK on base64 of something else', `ABSK${base64(`Other-${random(60)}`)}`),
    positive(
      'Amazon Bedrock short-term API key',
      `bedrock-api-key-${base64(`bedrock.amazonaws.com/?Action=CallWithBearerToken&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=ASIA${random(16, UPPER_ALNUM)}&X-Amz-Signature=${random(64, HEX)}&Version=1`)}`,
      'aws-bedrock-short-term-api-key medium'
    ),
    negative('Bedrock short-term prefix alone', 'bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29t'),

    // Symfony: APP_SECRET (.env), parameters.yml's secret, and the secrets vault decryption key.
    positive(
      'Symfony APP_SECRET in .env',
      `APP_ENV=prod\nAPP_SECRET=${random(32, HEX)}\n`,
      'symfony-app-secret high',
      '/app/.env'
    ),
    positive(
      "Symfony's public default APP_SECRET",
      'APP_SECRET=ThisTokenIsNotSoSecretChangeIt\n',
      'symfony-app-secret high',
      '/app/.env'
    ),
    negative('Symfony APP_SECRET left empty', 'APP_SECRET=\nAPP_DEBUG=0\n', '/app/.env'),
    positive(
      'Symfony parameters.yml secret',
      `parameters:\n  database_host: db\n  secret: ${random(40)}\n`,
      'symfony-parameters-secret high',
      '/app/app/config/parameters.yml'
    ),
    negative(
      'Symfony secret read from the environment',
      "parameters:\n  secret: '%env(APP_SECRET)%'\n",
      '/app/app/config/parameters.yml'
    ),
    positive(
      'Symfony secrets vault decryption key',
      `<?php // prod.decrypt.private on Mon, 01 Jan 2024\n\nreturn "${escapedBytes(64)}";\n`,
      'symfony-decryption-key critical',
      '/app/config/secrets/prod/prod.decrypt.private.php'
    ),
    negative(
      'Symfony secrets vault public key',
      `<?php // prod.encrypt.public on Mon, 01 Jan 2024\n\nreturn "${escapedBytes(32)}";\n`,
      '/app/config/secrets/prod/prod.encrypt.public.php'
    ),

    // Azure identifiable keys (84 characters, `JQQJ99` and the provider's signature) and the
    // older keys that only a name identifies.
    positive(
      'Azure AI services key',
      `key = "${random(52)}JQQJ99${random(18)}ACOG${random(4)}"`,
      'azure-ai-services-key high'
    ),
    positive(
      'Azure OpenAI key (32 hex digits) in AZURE_OPENAI_API_KEY',
      `AZURE_OPENAI_API_KEY=${random(32, HEX)}`,
      'azure-ai-services-legacy-key high'
    ),
    positive(
      'Azure AI services key (32 hex digits) in the subscription key header',
      `curl -H "Ocp-Apim-Subscription-Key: ${random(32, HEX)}" https://x.cognitiveservices.azure.com/`,
      'azure-ai-services-legacy-key high'
    ),
    negative('32 hex digits with no Azure name', `checksum = ${random(32, HEX)}`),
    negative(
      'an identifiable key with an unknown signature',
      `${random(52)}JQQJ99${random(18)}ZZZZ${random(4)}`
    ),
    positive(
      'Azure DevOps identifiable personal access token',
      `${random(52)}JQQJ99${random(18)}AZDO${random(4)}`,
      'azure-devops-identifiable-pat high'
    ),
    positive(
      'Azure Container Registry identifiable key',
      `${random(52)}JQQJ99${random(18)}AZCR${random(4)}`,
      'azure-container-registry-key high'
    ),
    positive(
      'Azure Container Registry admin password',
      `docker login reg.azurecr.io -u reg -p ${random(32, BASE64)}`,
      'azure-container-registry-password high'
    ),
    negative(
      'Azure Container Registry password from a variable',
      'docker login reg.azurecr.io -u reg -p $ACR_PASSWORD'
    ),
    positive(
      'Azure Data Factory integration runtime key',
      `IR@${uuid()}@adf-app@we@${random(43, BASE64)}=`,
      'azure-data-factory-key high'
    ),
    positive(
      'Azure AD client secret whose first characters hold a hyphen',
      `ARM_CLIENT_SECRET="${random(2)}-8Q~${random(34)}"`,
      'azure-ad-client-secret high'
    ),

    // Kubernetes docker-registry Secret data outside a `kind: Secret` manifest (Helm values).
    positive(
      'Kubernetes .dockerconfigjson data',
      `data:\n  .dockerconfigjson: ${base64(JSON.stringify({ auths: { r: { auth: base64(`me:${random(20)}`) } } }))}\n`,
      'kubernetes-docker-config high'
    ),
    negative(
      'Kubernetes .dockerconfigjson key with a word',
      '  .dockerconfigjson: dockerconfigjson'
    ),

    // A distinctive prefix glued to a word.
    positive(
      'GitHub fine-grained token glued to a word',
      `our${`github_pat_${random(82)}`}`,
      'github-fine-grained-pat critical'
    ),

    // The generic password rule in the assignment forms of common languages.
    positive(
      'Go short variable declaration',
      `\tpassword := "${random(20)}"\n`,
      'password-assignment medium',
      '/app/main.go'
    ),
    positive(
      'Go typed variable',
      `var apiKey string = "${random(24)}"\n`,
      'password-assignment medium',
      '/app/main.go'
    ),
    negative(
      'Go value read from the environment',
      'password := os.Getenv("DB_PASSWORD")',
      '/app/main.go'
    ),
    positive(
      'PHP concatenating assignment',
      `$db_password .= '${random(20)}';\n`,
      'password-assignment medium',
      '/app/config.php'
    ),
    positive(
      'Makefile conditional assignment',
      `REGISTRY_TOKEN ?= ${random(24)}\n`,
      'password-assignment medium',
      '/app/Makefile'
    ),
    positive(
      'Makefile POSIX ::= assignment',
      `DEPLOY_PASSWORD ::= ${random(24)}\n`,
      'password-assignment medium',
      '/app/Makefile'
    ),
    negative(
      'Makefile value from a variable',
      'DEPLOY_PASSWORD ?= $(VAULT_PASSWORD)\n',
      '/app/Makefile'
    ),
    positive(
      'YAML value on the next line',
      `db:\n  password:\n    ${random(20)}\n`,
      'password-assignment medium',
      '/app/config.yaml'
    ),
    negative(
      'YAML key whose next line is another key',
      'env:\n  password:\n    valueFrom:\n      secretKeyRef:\n        name: db\n',
      '/app/config.yaml'
    ),
    negative(
      'YAML value from a Helm template',
      'password:\n  {{ .Values.db.password }}\n',
      '/app/config.yaml'
    ),
    positive(
      'XML element text on the next line',
      `<datasource>\n  <db-password>\n    ${random(20)}\n  </db-password>\n</datasource>\n`,
      'password-assignment medium',
      '/app/context.xml'
    ),
    negative(
      'XML element with a property reference',
      '<password>\n  ${db.password}\n</password>\n',
      '/app/context.xml'
    ),
    negative(
      'names that hold something about a secret',
      `csrf_token = ${random(30)}\ntoken_url = https://login.example/${random(12)}\nSECRET_NAME = ${random(16)}\n`,
      '/app/app.conf'
    ),
    negative(
      'a path built on a variable',
      'private_key = $dir/private/cakey.pem\n',
      '/app/app.conf'
    ),

    // Keys found by the vendor's name beside them, in the assignment forms of gitleaks' samples.
    positive(
      'Adyen API key',
      `ADYEN_API_KEY=AQE${random(6)}.${random(60, BASE64URL)}`,
      'adyen-api-key critical'
    ),
    negative('Adyen-like prefix without the dot', `AQE${random(66)}`),
    positive(
      'Adyen client key in a Go short assignment',
      `adyenClientKey := "test_${random(34)}"`,
      'adyen-client-key medium'
    ),
    negative('Adyen client key of the wrong environment', `adyenClientKey := "prod_${random(34)}"`),
    positive(
      'Airtable legacy API key in a PHP append',
      `$airtableToken .= "${random(17)}"`,
      'airtable-api-key high'
    ),
    negative('Airtable base id is shorter', `airtable_base = "${random(14)}"`),
    positive(
      'Beamer API key as a YAML literal block',
      `beamer_token: |\n  b_${random(44, BASE64URL)}`,
      'beamer-api-key high'
    ),
    negative('Beamer key without its prefix', `beamer_token: ${random(44, BASE64URL)}`),
    positive(
      'Cloudflare global API key in an XML element',
      `<cloudflareToken>${random(37, HEX)}</cloudflareToken>`,
      'cloudflare-global-api-key critical'
    ),
    negative(
      'Cloudflare key of the wrong length',
      `<cloudflareToken>${random(36, HEX)}</cloudflareToken>`
    ),
    positive(
      'Codecov token in a make conditional assignment',
      `CODECOV_TOKEN ?= "${uuid()}"`,
      'codecov-token medium'
    ),
    negative('Codecov flag that is no token', `codecov_flags = "unittests"`),
    positive(
      'Discord API key in escaped JSON',
      `\\"discord_token\\": \\"${random(64, HEX)}\\"`,
      'discord-client-secret high'
    ),
    negative(
      'Discord client id (public) is not a secret',
      `discord_client: "${random(18, DIGITS)}"`
    ),
    positive(
      'Fastly API token in a Go typed declaration',
      `var fastlyToken string = "${random(32, BASE64URL)}"`,
      'fastly-api-token high'
    ),
    negative('Fastly service id is shorter', `fastly_service = "${random(22)}"`),
    positive('EasyPost test key', `EZTK${random(54)}`, 'easypost-api-key high'),
    negative('EasyPost-like prefix inside base64', `+EZTK${random(54)}/`),
    positive(
      'Anthropic OAuth refresh token',
      `sk-ant-ort01-${random(100, BASE64URL)}`,
      'anthropic-oauth-token high'
    ),
    negative('Anthropic OAuth token too short', 'sk-ant-oat01-tooShort'),
    positive(
      'Azure AD client secret',
      `client_secret=${random(3)}8Q~${random(34)}`,
      'azure-ad-client-secret high'
    ),
    negative(
      'Tilde-joined run longer than an Azure AD client secret',
      `USK@${random(20)},4~q8Q~${random(34)}~yk0,AQACAAE`
    ),

    // Vendors measured against gitleaks' rule samples (Fly.io … Sentry).
    positive('Fly.io org token', `fo1_${random(43, BASE64URL)}`, 'flyio-access-token high'),
    negative('Fly.io macaroon prefix inside base64', `${random(20)}fm2_${random(120, BASE64)}`),
    positive('Groq API key', `gsk_${random(48)}`, 'groq-api-key critical'),
    negative('Groq prefix on a short value', `gsk_${random(40)}`),
    positive(
      'LangSmith personal access token',
      `lsv2_pt_${random(32, HEX)}_${random(10, HEX)}`,
      'langsmith-api-key high'
    ),
    negative(
      'LangSmith-like key of an unknown type',
      `lsv2_xx_${random(32, HEX)}_${random(10, HEX)}`
    ),
    positive(
      'New Relic Insights insert key',
      `NRII-${random(32, BASE64URL)}`,
      'new-relic-key high'
    ),
    negative('New Relic insert key prefix on a short value', `NRII-${random(30)}`),
    positive(
      'Sentry auth token without a prefix',
      `sentry_auth_token: ${random(64, HEX)}`,
      'sentry-legacy-auth-token high'
    ),
    negative('Sentry CLI checksum', `sentry_cli_sha256: ${random(64, HEX)}`),
    negative(
      'GitLab runner registration prefix and counting digits',
      'GR134894112312312312312312312'
    ),
    positive(
      'JFrog identity token',
      `artifactory_token: ${random(64)}`,
      'jfrog-identity-token high'
    ),
    negative('Artifactory checksum', `artifactory_sha256: ${random(64, HEX)}`),
    positive(
      'GoCardless live access token',
      `gocardless_token: live_${random(40)}`,
      'gocardless-access-token high'
    ),
    negative('GoCardless live prefix on a short value', `gocardless_token: live_${random(20)}`),
    positive('Infracost API token', `ico-${random(32)}`, 'infracost-api-token high'),
    negative('cache-busted favicon file name', `/img/favicon.ico-${random(32)}.png`),
    positive('HubSpot legacy API key', `hubspot_api_key: ${uuid()}`, 'hubspot-api-key high'),
    negative('HubSpot form id (public)', `hubspot_form_id: ${uuid()}`),
    positive(
      'LaunchDarkly SDK key',
      `launchdarkly_sdk_key: sdk-${uuid()}`,
      'launchdarkly-access-token high'
    ),
    negative(
      'LaunchDarkly flag key as long as a token',
      'launchdarkly_flag_key: enable-new-checkout-flow-for-every-user1'
    ),

    positive('Sourcegraph legacy access token', `sgp_${random(40, HEX)}`, 'sourcegraph-token high'),
    negative('Sourcegraph prefix on filler', `sgp_${'0a'.repeat(20)}`),
    positive('Travis CI API token', `travis_token: ${random(22)}`, 'travis-ci-token high'),
    negative('Travis CI build number', `travis_build_number: ${random(22, DIGITS)}`),
    positive(
      'Netlify personal access token',
      `netlify_auth_token: ${random(43, BASE64URL)}`,
      'netlify-access-token high'
    ),
    negative('Netlify site id (public)', `netlify_site_id: ${uuid()}`),
    positive('Zendesk API token', `zendesk_api_token: ${random(40)}`, 'zendesk-api-token high'),
    negative('Zendesk value under a name that is no credential', `zendesk_user: ${random(40)}`),
    positive(
      'FreshBooks access token',
      `FRESHBOOKS_ACCESS_TOKEN="${random(64, '0123456789abcdefghijklmnopqrstuvwxyz')}"`,
      'freshbooks-access-token high'
    ),
    negative(
      'FreshBooks value under a name that is no credential',
      `freshbooks_account = "${random(64, '0123456789abcdefghijklmnopqrstuvwxyz')}"`
    ),
    positive(
      'Looker API client secret',
      `looker_client_secret: ${random(24)}`,
      'looker-client-secret high'
    ),
    negative('Looker API client id (20 characters)', `looker_client_key: ${random(20)}`),
    positive(
      'Twitch client secret',
      `twitch_client_secret: ${random(30, LOWER_ALNUM)}`,
      'twitch-api-token high'
    ),
    negative('Twitch client id (public)', `twitch_client_id: ${random(30, LOWER_ALNUM)}`),
    positive('Plaid API secret', `plaid_secret: ${random(30, HEX)}`, 'plaid-api-secret high'),
    negative('Plaid client id', `plaid_client_id: ${random(24, HEX)}`),
    positive(
      'LinkedIn client secret',
      `linkedin_client_secret: ${random(16)}`,
      'linkedin-client-secret high'
    ),
    negative('LinkedIn client id (public)', `linkedin_client_id: ${random(14)}`),

    positive('Perplexity API key', `pplx-${random(48)}`, 'perplexity-api-key critical'),
    negative('Perplexity prefix on a short value', `pplx-${random(40)}`),
    positive(
      'OpenShift user token on an oc login line',
      `oc login --server=https://api.example.com:6443 sha256~${random(43, BASE64URL)}`,
      'openshift-user-token critical'
    ),
    negative(
      'OpenShift token placeholder',
      `sha256~${'X'.repeat(10)}_PUT_YOUR_TOKEN_HERE_${'X'.repeat(12)}`
    ),
    positive(
      'Sumo Logic access key',
      `SUMO_ACCESS_KEY: ${random(64)}`,
      'sumologic-access-key high'
    ),
    negative('Sumo Logic access id', `SUMO_ACCESS_ID: su${random(12)}`),
    positive('MaxMind license key', `${random(6)}_${random(29)}_mmk`, 'maxmind-license-key high'),
    negative('MaxMind-like suffix on a short value', `${random(6)}_${random(20)}_mmk`),
    positive(
      'Sidekiq Enterprise gem server credentials',
      `ENV BUNDLE_ENTERPRISE__CONTRIBSYS__COM=${random(8, HEX)}:${random(8, HEX)}`,
      'sidekiq-gems-credentials high'
    ),
    negative(
      'Sidekiq gem server user without a password',
      `BUNDLE_GEMS__CONTRIBSYS__COM=${random(8, HEX)}`
    ),

    // Keys found by the vendor's name beside the value, and prefixed tokens (gitleaks' rule set).
    positive(
      'Cisco Meraki Dashboard API key',
      `MERAKI_DASHBOARD_API_KEY=${random(40, HEX)}`,
      'cisco-meraki-api-key high'
    ),
    negative('Meraki network id', `meraki_network_id=${random(40, HEX)}`),
    positive(
      'ClickHouse Cloud API key secret',
      `CLICKHOUSE_KEY_SECRET=4b1d${random(38)}`,
      'clickhouse-cloud-api-secret high'
    ),
    negative('ClickHouse prefix inside a longer word', `key = ab4b1d${random(38)}`),
    positive('Cohere API key', `export CO_API_KEY=${random(40)}`, 'cohere-api-key high'),
    negative('Cohere API key placeholder', `CO_API_KEY=${'x'.repeat(40)}`),
    positive(
      'Defined Networking API token',
      `DN_API_KEY=dnkey-${random(26, LOWER_ALNUM)}-${random(52, LOWER_ALNUM)}`,
      'defined-networking-api-token high'
    ),
    negative('Defined Networking prefix on a short value', `dnkey-${random(20, LOWER_ALNUM)}`),
    positive('Drone CI token', `DRONE_TOKEN=${random(32)}`, 'drone-ci-token high'),
    negative('Drone CI server address', `DRONE_SERVER=https://drone.example.com/${random(32)}`),
    positive(
      'Facebook app secret',
      `facebook_app_secret = "${random(32, HEX)}"`,
      'facebook-app-secret high'
    ),
    negative('Facebook app id (public)', `facebook_app_id = "${random(15, DIGITS)}"`),
    positive(
      'Facebook app access token',
      `facebook_token = ${random(15, DIGITS)}|${random(27, BASE64URL)}`,
      'facebook-app-access-token high'
    ),
    negative('Facebook app id alone', `facebook ${random(16, DIGITS)}`),
    positive(
      'Finicity partner secret',
      `finicity_partner_secret: ${random(20)}`,
      'finicity-api-key high'
    ),
    negative('Finicity customer id', `finicity_customer_id: ${random(20, DIGITS)}`),
    positive('Flickr API key', `FLICKR_API_KEY=${random(32, HEX)}`, 'flickr-api-key high'),
    negative('Flickr user id', `flickr_user=${random(32, HEX)}`),
    positive('Gitter access token', `GITTER_TOKEN=${random(40, HEX)}`, 'gitter-access-token high'),
    negative('Gitter room id', `gitter_room=${random(40, HEX)}`),
    positive(
      'Kraken API private key',
      `KRAKEN_PRIVATE_KEY=${random(86, BASE64)}==`,
      'kraken-api-key high'
    ),
    negative('Kraken API public key of the wrong length', `KRAKEN_API_KEY=${random(56, BASE64)}`),
    positive(
      'MessageBird access key',
      `MESSAGEBIRD_ACCESS_KEY=${random(25)}`,
      'messagebird-api-key high'
    ),
    negative('MessageBird client id (a UUID)', `MESSAGEBIRD_CLIENT_ID=${uuid()}`),
    positive(
      'Notion integration token',
      `NOTION_TOKEN=ntn_${random(11, DIGITS)}${random(35)}`,
      'notion-api-token high'
    ),
    negative('Notion prefix on digits only', `ntn_${random(11, DIGITS)}`),
    positive('New York Times API key', `NYTIMES_API_KEY=${random(32)}`, 'nytimes-api-key medium'),
    negative('New York Times article id', `nytimes_article=${random(32, DIGITS)}`),
    positive('Plaid access token', `access-production-${uuid()}`, 'plaid-access-token high'),
    negative('Plaid environment name without a token', 'access-production-environment'),
    positive(
      'Private AI API key',
      `PRIVATE_AI_API_KEY=${random(32, LOWER_ALNUM)}`,
      'privateai-api-key high'
    ),
    negative('Private AI key placeholder', `PRIVATE_AI_API_KEY=${'a'.repeat(32)}`),
    positive('RapidAPI key', `X_RAPIDAPI_KEY=${random(50, BASE64URL)}`, 'rapidapi-key high'),
    negative('RapidAPI host name', 'X_RAPIDAPI_HOST=weatherapi-com.p.rapidapi.com'),
    positive(
      'Sendbird API token',
      `SENDBIRD_API_TOKEN=${random(40, HEX)}`,
      'sendbird-api-token high'
    ),
    negative('Sendbird application id (public)', `SENDBIRD_APP_ID=${uuid().toUpperCase()}`),
    positive(
      'SettleMint personal access token',
      `SETTLEMINT_ACCESS_TOKEN=sm_pat_${random(16)}`,
      'settlemint-token high'
    ),
    negative('SettleMint prefix on a short value', `sm_pat_${random(10)}`),
    positive('SonarQube user token', `SONAR_TOKEN=squ_${random(40, HEX)}`, 'sonarqube-token high'),
    negative('SonarQube host URL', 'SONAR_HOST_URL=https://sonarcloud.io'),
    positive('Squarespace API key', `SQUARESPACE_API_KEY=${uuid()}`, 'squarespace-api-key high'),
    negative('Squarespace site id', `squarespace_site_id=${uuid()}`),
    positive(
      'X (Twitter) access token',
      `TWITTER_ACCESS_TOKEN=${random(19, DIGITS)}-${random(30)}`,
      'twitter-api-secret high'
    ),
    negative('X (Twitter) handle', 'twitter_username=container_gate'),
    positive(
      'Yandex Cloud API key',
      `YANDEX_API_KEY=AQVN${random(36, BASE64URL)}`,
      'yandex-cloud-credential high'
    ),
    negative('Yandex Cloud folder id', `yandex_folder_id=b1g${random(17, LOWER_ALNUM)}`),
    positive(
      'database password in a shell script',
      `DB_PASSWORD="${random(14)}7"`,
      'database-password high',
      '/app/migrate.sh'
    ),
    negative(
      'database password from the environment',
      'DB_PASSWORD="${DB_PASSWORD:-}"',
      '/app/migrate.sh'
    ),
    negative(
      'database password as an Ansible Vault tag',
      'db_password: !vault |',
      '/app/notes.txt'
    ),
    positive(
      'base64-encoded JWT (Kubernetes Secret data)',
      base64(
        `${Buffer.from('{"alg":"RS256","typ":"JWT"}').toString('base64url')}.eyJ${random(60, BASE64URL)}.${random(43, BASE64URL)}`
      ),
      'jwt-base64 medium'
    ),
    negative(
      'base64 of a base64url JSON object that is no JWT header',
      base64(`${Buffer.from(`{"name":"${random(40)}"}`).toString('base64url')}`)
    ),
    positive(
      'API key passed to curl in a header',
      `curl -H "X-Api-Key: ${uuid()}" https://api.example.com/v1/items`,
      'curl-auth-header medium'
    ),
    negative(
      'API key from a variable passed to curl',
      'curl -H "X-Api-Key: $API_KEY" https://api.example.com/v1/items'
    ),
    // Django REST framework documents its Token scheme with a 40-hex example in its own source.
    negative(
      'Token authorization scheme, as in Django REST framework’s docstring',
      `Authorization: Token ${random(40, HEX)}`,
      '/usr/lib/python3/dist-packages/rest_framework/authentication.py'
    ),
    positive(
      'Slack legacy workspace token with four numeric ids',
      `xoxa-2-${random(9, DIGITS)}-${random(11, DIGITS)}-${random(13, DIGITS)}-${random(18, LOWER_ALNUM)}`,
      'slack-legacy-token high'
    ),
    negative(
      'Slack-like prefix in a repository name',
      'https://github.com/xoxa-nyc/xoxa-nyc.github.io'
    ),
    positive(
      'Sentry organization token',
      `SENTRY_AUTH_TOKEN=sntrys_${base64(`{"iat":1700000000.1,"url":"https://sentry.io","region_url":"https://us.sentry.io","org":"${random(8, LOWER_ALNUM)}"}`)}_${random(43, BASE64)}`,
      'sentry-token high'
    ),
    negative(
      'Sentry organization token with a short secret part',
      `sntrys_${base64(`{"iat":1700000000.1,"url":"https://sentry.io","org":"${random(8, LOWER_ALNUM)}"}`)}_${random(42)}`
    ),
    positive(
      'Kubernetes Secret with a comment before its first key',
      `apiVersion: v1\nkind: Secret\ndata:\n  # the registry password\n  password: ${base64(random(16))}\n`,
      'kubernetes-secret high',
      '/app/secret.yaml'
    ),
    negative(
      'Kubernetes Secret whose data is shorter than ten characters',
      `apiVersion: v1\nkind: Secret\ndata:\n  user: ${base64('admin')}\n`,
      '/app/secret.yaml'
    ),
    positive(
      'docker-registry Secret data as a YAML block scalar',
      `  .dockerconfigjson: |\n    ${base64(`{"auths":{"registry.example.com":{"auth":"${base64(`ci:${random(20)}`)}"}}}`)}\n`,
      'kubernetes-docker-config high'
    ),
    negative(
      'docker-registry Secret data as a template in a block scalar',
      '  .dockerconfigjson: |\n    {{ .Values.dockerconfig }}\n'
    ),
    positive('JFrog Xray token', `xray_token: ${random(64)}`, 'jfrog-identity-token high'),
    negative('JFrog Xray checksum', `xray_sha256: ${random(64, HEX)}`),
    positive(
      'Terraform administrator password',
      `administrator_login_password = "${random(14)}7"`,
      'password-assignment medium',
      '/app/infra/main.tf'
    ),
    negative(
      'Terraform password from a variable',
      'administrator_login_password = var.db_password',
      '/app/infra/main.tf'
    ),
    negative(
      'the alphabet typed out as a password',
      '"secret_key" => "sk_abcdefghijklmnopqrstuvwxyz123",',
      '/app/config.php'
    ),

    // A file named like an example: reported one severity lower, not dropped.
    positive(
      '.env.example',
      `API_TOKEN=${random(24)}\n`,
      'dotenv-secret medium',
      '/app/.env.example'
    ),
    positive(
      'a .dist configuration template',
      `aws_secret_access_key = ${random(40, BASE64)}\n`,
      'aws-secret-access-key high',
      '/app/config/aws.ini.dist'
    ),
    positive(
      'a token under examples/',
      `ghp_${random(36)}`,
      'github-pat high',
      '/app/examples/deploy.sh'
    ),
    positive(
      'a low-severity token in an example file stays low',
      `pk_live_${random(32)}`,
      'stripe-publishable-key low',
      '/app/example.config.js'
    ),
    // Rules whose keywords or patterns were narrowed for speed: what they found is still found.
    positive(
      'a Mailchimp API key with its datacenter',
      `MAILCHIMP_KEY=${random(32, HEX)}-us${random(1, '123456789')}${random(1, DIGITS)}`,
      'mailchimp-api-key high'
    ),
    negative(
      'hex beside -user, no datacenter digit',
      `id ${random(32, HEX)}-user and ${random(32, HEX)}-us`
    ),
    positive(
      'a JDBC URL with a password, its scheme behind ://',
      `url=jdbc:mysql://app:${random(16)}@db.internal:3306/app`,
      'database-url high'
    ),
    positive(
      'a Redis URL with a driver suffix',
      `REDIS=rediss+sentinel://app:${random(16)}@cache.internal:26379`,
      'database-url high'
    ),
    negative('a database URL without a password', 'postgres://app@db.internal:5432/app'),
    positive(
      'an https URL with a password',
      `fetch https://deploy:${random(16)}@artifacts.internal.corp/a.tgz`,
      'url-credentials medium'
    ),
    negative(
      'a scheme the rule does not know',
      `see gopher://deploy:${random(16)}@artifacts.internal.corp/a`
    ),
    positive(
      'a PHP password constant',
      `define('DB_PASSWORD', '${random(20)}');`,
      'php-define-password high',
      '/var/www/wp-config.php'
    ),
    // What stock files of language runtimes and SDKs hold (node_modules, the Go tree, Cloud SDK):
    // documentation values, translations, paths, patterns, templates — none a secret.
    negative(
      'a URL on a documentation domain (RFC 2606)',
      `#   uri = URI.parse("http://john:${random(12)}@my.example.com")`
    ),
    negative(
      'a database URL on a .test host',
      `DATABASE_URL=postgres://app:${random(16)}@db.test:5432/app`
    ),
    positive(
      'a database URL on a host that only contains test',
      `DATABASE_URL=postgres://app:${random(16)}@db.test.internal:5432/app`,
      'database-url high'
    ),
    negative(
      'a made-up GitHub token padded with zeros, as in a README',
      `createTokenAuth("ghp_${random(20, LETTERS)}${'0'.repeat(16)}")`
    ),
    negative(
      'Azurite’s published development account key',
      'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;'
    ),
    negative(
      'RFC 6749’s example client credentials in a docstring',
      'Authorization: Basic czZCaGRSa3F0MzpnWDFmQmF0M2JW'
    ),
    negative(
      'a translated message, scanned as latin1 like every file',
      Buffer.from(
        '{\n  "Unexpected_token_1012": "Neočekávaný token",\n  "Unexpected_token_1013": "意外的标记。"\n}\n'
      ).toString('latin1'),
      '/app/node_modules/typescript/lib/cs/diagnosticMessages.generated.json'
    ),
    negative(
      'a translated message with numbered arguments',
      Buffer.from(
        '{ "Expected_token_0": "分析器预期在此处找到与“{0}”标记匹配的“{1}”。" }'
      ).toString('latin1'),
      '/app/messages.json'
    ),
    negative(
      'a token name mapped to a source path',
      "  'google\\appengine\\getaccesstokenrequest' => 'google/appengine/api/app_identity/service_pb.php',",
      '/usr/lib/sdk/autoloader.php'
    ),
    negative(
      'a secret name pattern in an API model',
      '{ "pattern":"arn:([a-z\\\\d-]+):.*:.*:secret:AmazonLookoutMetrics-.+" }',
      '/usr/lib/sdk/service-2.json'
    ),
    negative(
      'Python format fields in a manifest template',
      'kind: Secret\ndata:\n  .dockerconfigjson: {image_pull_secret}\n  password: {db_password}\n',
      '/usr/lib/sdk/agent_util.py'
    ),
    negative(
      'a name that says credentials, not a value',
      'const jsFetchCreds = "js.fetch:credentials"',
      '/usr/local/go/src/net/http/roundtrip_js.go'
    ),
    negative(
      'a database password described in angle brackets',
      'db_passwd = <another aws secret access key>',
      '/usr/lib/sdk/boto/manager.py'
    ),
    negative(
      'an AWS managed policy’s name beside AWS words, 40 letters long',
      '{\n    "AmazonMSKFullAccess": "arn:aws-us-gov:iam::aws:policy/AmazonMSKFullAccess",\n    "AmazonManagedBlockchainConsoleFullAccess": "arn:aws-us-gov:iam::aws:policy/AmazonManagedBlockchainConsoleFullAccess"\n}\n',
      '/usr/local/lib/python3.11/site-packages/samtranslator/internal/data/aws_managed_policies.json'
    ),
    negative(
      'user:pass in a docstring’s database URL',
      "m = MyDatabaseModel(db='postgres://user:pass@localhost:5432/foobar')",
      '/usr/local/lib/python3.11/site-packages/pydantic/networks.py'
    ),
    negative(
      'foo:bar in a docstring’s URL',
      "mhu = MultiHostUrl('https://foo.com:123,foo:bar@bar.com/path')",
      '/usr/local/lib/python3.11/site-packages/pydantic/networks.py'
    ),
    negative(
      'IAM condition keys and resource types',
      '{ "Condition": [ "secretsmanager:ResourceTag/tag-key", "secretsmanager:resource/AllowRotationLambdaArn" ], "typeName": "AWS::SecretsManager::RotationSchedule" }',
      '/usr/local/lib/python3.11/site-packages/cfnlint/data/Policies.json'
    ),
    negative(
      'a C macro named define, no call',
      `#define DB_PASSWORD_LEN 64\n#define SECRET_SALT_BYTES 32`,
      '/usr/include/app.h'
    )
  ]
}

describe('secret rule samples in each vendor’s documented format', () => {
  it.each(samples().map((sample) => [sample.name, sample] as const))('%s', (_name, sample) => {
    const found = scanner.scan(sample.text, sample.path).map((m) => `${m.rule} ${m.severity}`)
    expect(found).toEqual(sample.expected)
  })
})
