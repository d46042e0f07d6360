/**
 * The built-in secret rules. Token shapes follow the issuers' published formats and the
 * gitleaks/trufflehog rule sets; every rule names literal keywords for the prefilter, so a
 * regex only runs on text that contains one of them. Rule ids become `hardening/secret-<id>`.
 */
import type { Severity } from '../findings.js'

export interface SecretRule {
  id: string
  title: string
  severity: Severity
  /** Lowercase literals; the rule runs only on text containing at least one (the prefilter). */
  keywords: string[]
  /** The `secret` named group, or else the whole match, is the secret. */
  pattern: RegExp
  /** Only files matching one of these globs (absolute paths); never the image config. */
  paths?: string[]
  /** Minimum Shannon entropy (bits per character) of the secret. */
  minEntropy?: number
  /** Must also match somewhere in the text (e.g. `kind: Config` for a kubeconfig). */
  context?: RegExp
  /**
   * A value someone chose (a password) rather than a generated token: placeholder words such as
   * `changeme` or `password` are taken as examples, not secrets.
   */
  chosen?: boolean
}

/**
 * Between a key name and its value: maybe a Go or C# type, (escaped) quotes, then an assignment as
 * config files and languages write it (`=`, `:`, `:=`, make's `::=`/`?=`/`+=`, PHP's `.=`, `=>`,
 * `,` in CSV, `>` closing an XML tag, `(` of a call), and a YAML block scalar's `|` or `>` line.
 */
const ASSIGN =
  '(?:[ \\t]{1,3}(?:string|String|str))?(?:\\\\?[\'"`]){0,3}[ \\t]{0,5}' +
  '(?:[?+.]?=|:{1,3}=|=>|:|,|>|\\()[ \\t]{0,5}(?:[|>][ \\t]{0,3}\\r?\\n)?\\s{0,8}(?:\\\\?[\'"`])?'
/** A key name mentioning `word` near the value: `word.{0,20}?` then an assignment. */
function near(words: string, value: string, flags = 'i'): RegExp {
  return new RegExp(`(?:${words})[\\w.-]{0,20}?${ASSIGN}(?<secret>${value})(?![\\w+/=-])`, flags)
}
/** A token with a literal prefix, delimited on both sides. */
function token(body: string, flags = ''): RegExp {
  return new RegExp(`(?<![\\w+/-])(?<secret>${body})(?![\\w+/=-])`, flags)
}

/**
 * GitHub's prefixed tokens are 36 characters after the prefix today; GitHub tells integrators to
 * accept up to 255 in all (changelog 2021-03-31, "Authentication token format updates").
 */
const GITHUB_TOKEN_BODY = '[0-9a-zA-Z]{36,251}'
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'
/** Microsoft's identifiable keys up to the provider signature: 52 characters, `JQQJ99`, 18 more. */
const IDENTIFIABLE_KEY = '[A-Za-z0-9]{52}JQQJ99[A-Za-z0-9]{18}'
const PEM_BODY = '(?:[A-Za-z0-9+/=\\s:,.\'"\\\\]|-(?!----)){64,16384}?'

/**
 * JOSE header parameters (IANA "JSON Web Signature and Encryption Header Parameters", with the
 * JWK members some issuers put in the header): a JWT's header object starts with one of them.
 */
const JOSE_HEADER_NAMES = [
  'alg',
  'enc',
  'typ',
  'cty',
  'kid',
  'jku',
  'jwk',
  'x5u',
  'x5c',
  'x5t',
  'x5t#S256',
  'crit',
  'zip',
  'epk',
  'apu',
  'apv',
  'iv',
  'tag',
  'p2s',
  'p2c',
  'b64',
  'ppt',
  'url',
  'nonce',
  'svt',
  'iss',
  'sub',
  'aud',
  'kty',
  'use',
  'key_ops',
  'x',
  'ver',
  'version'
]
/**
 * How a base64-encoded JWT starts, for each header parameter: base64 (standard or URL-safe) of
 * `eyJ…`, the base64url of `{"<name>":`, cut to the characters its bytes alone decide.
 */
function base64JwtPrefixes(): string {
  const prefixes = new Set<string>()
  for (const name of JOSE_HEADER_NAMES) {
    const header = Buffer.from(`{"${name}":`)
    const jwt = header.toString('base64url').slice(0, Math.floor((header.length * 8) / 6))
    const outer = Buffer.from(jwt.slice(0, jwt.length - (jwt.length % 3))).toString('base64')
    prefixes.add(outer).add(outer.replaceAll('+', '-').replaceAll('/', '_'))
  }
  return [...prefixes].map((p) => p.replace(/[+/]/g, '\\$&')).join('|')
}

function privateKey(id: string, title: string, label: string, severity: Severity): SecretRule {
  return {
    id,
    title,
    severity,
    keywords: [`begin ${label}`.toLowerCase()],
    pattern: new RegExp(`(?<secret>-----BEGIN ${label}-----${PEM_BODY}-----END ${label}-----)`)
  }
}

export const BUILT_IN_RULES: SecretRule[] = [
  // Private keys (RFC 7468 PEM labels; OpenSSH PROTOCOL.key; RFC 4880 armor).
  privateKey('private-key-rsa', 'RSA private key', 'RSA PRIVATE KEY', 'critical'),
  privateKey('private-key-ec', 'EC private key', 'EC PRIVATE KEY', 'critical'),
  privateKey('private-key-dsa', 'DSA private key', 'DSA PRIVATE KEY', 'critical'),
  privateKey('private-key-openssh', 'OpenSSH private key', 'OPENSSH PRIVATE KEY', 'critical'),
  privateKey('private-key-pkcs8', 'PKCS#8 private key', 'PRIVATE KEY', 'critical'),
  privateKey(
    'private-key-encrypted',
    'Encrypted PKCS#8 private key',
    'ENCRYPTED PRIVATE KEY',
    'high'
  ),
  privateKey('private-key-pgp', 'PGP private key block', 'PGP PRIVATE KEY BLOCK', 'critical'),
  privateKey(
    'private-key-ssh2',
    'SSH2 (RFC 4716) private key',
    'SSH2 ENCRYPTED PRIVATE KEY',
    'high'
  ),
  {
    id: 'private-key-putty',
    title: 'PuTTY private key',
    severity: 'critical',
    keywords: ['putty-user-key-file'],
    pattern:
      /PuTTY-User-Key-File-\d: [\s\S]{0,2000}?Private-Lines: \d{1,4}\r?\n(?<secret>[A-Za-z0-9+/=\r\n]{40,16384})/
  },
  {
    id: 'age-secret-key',
    title: 'age secret key',
    severity: 'critical',
    keywords: ['age-secret-key-1'],
    pattern: token('AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}')
  },

  // Cloud providers.
  {
    id: 'aws-access-key-id',
    title: 'AWS access key ID',
    severity: 'medium',
    keywords: ['akia', 'asia', 'abia', 'acca', 'a3t'],
    pattern: token('(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}')
  },
  {
    id: 'aws-secret-access-key',
    title: 'AWS secret access key',
    severity: 'critical',
    keywords: ['aws', 'secret_access_key', 'secretaccesskey'],
    pattern: near('aws.{0,20}?(?:secret|sk)|secret_?access_?key', '[A-Za-z0-9/+=]{40}'),
    minEntropy: 3.5
  },
  {
    id: 'aws-session-token',
    title: 'AWS session token',
    severity: 'high',
    keywords: ['session_token', 'sessiontoken', 'security_token'],
    // The lookbehind keeps `aws` inside a long base64 run from starting a match: each such start
    // would rescan the run up to its 4096-character bound.
    pattern: near(
      'aws(?<![A-Za-z0-9/+=]{16}aws).{0,20}?(?:session|security).?token',
      '[A-Za-z0-9/+=]{100,4096}'
    ),
    minEntropy: 4
  },
  {
    id: 'aws-mws-key',
    title: 'Amazon MWS auth token',
    severity: 'high',
    keywords: ['amzn.mws.'],
    pattern: token(`amzn\\.mws\\.${UUID}`)
  },
  {
    id: 'aws-bedrock-api-key',
    title: 'Amazon Bedrock long-term API key',
    severity: 'critical',
    keywords: ['absk'],
    // `ABSK` then base64 of `BedrockAPIKey-<id>-at-<account>:<secret>`, so the body starts with
    // the base64 of `BedrockAPIKey-` (Bedrock user guide, "API keys").
    pattern: token('ABSKQmVkcm9ja0FQSUtleS[A-Za-z0-9+/]{40,400}={0,2}'),
    minEntropy: 4
  },
  {
    id: 'aws-bedrock-short-term-api-key',
    title: 'Amazon Bedrock short-term API key',
    // A pre-signed SigV4 URL valid for at most 12 hours.
    severity: 'medium',
    keywords: ['bedrock-api-key-'],
    // `bedrock-api-key-` then base64 of `bedrock.amazonaws.com/?Action=CallWithBearerToken&…`.
    pattern: token('bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29t[A-Za-z0-9+/]{100,4096}={0,2}'),
    minEntropy: 4
  },
  {
    id: 'gcp-service-account',
    title: 'Google Cloud service account key',
    severity: 'critical',
    keywords: ['service_account'],
    pattern:
      /"type"\s{0,16}:\s{0,16}"service_account"[\s\S]{0,2000}?"private_key_id"\s{0,16}:\s{0,16}"(?<secret>[a-f0-9]{40})"/
  },
  {
    id: 'gcp-api-key',
    title: 'Google API key',
    severity: 'high',
    keywords: ['aiza'],
    pattern: token('AIza[0-9A-Za-z_-]{35}'),
    minEntropy: 3.5
  },
  {
    id: 'gcp-oauth-client-secret',
    title: 'Google OAuth client secret',
    severity: 'high',
    keywords: ['gocspx-'],
    pattern: token('GOCSPX-[0-9A-Za-z_-]{28}')
  },
  {
    id: 'gcp-oauth-access-token',
    title: 'Google OAuth access token',
    severity: 'high',
    keywords: ['ya29.'],
    pattern: token('ya29\\.[0-9A-Za-z_-]{50,2048}')
  },
  {
    id: 'azure-storage-account-key',
    title: 'Azure storage account key',
    severity: 'critical',
    keywords: ['accountkey'],
    pattern: /AccountKey\s{0,16}=\s{0,16}(?<secret>[A-Za-z0-9+/]{86}==)/i
  },
  {
    id: 'azure-connection-string',
    title: 'Azure Service Bus / Event Hubs connection string',
    severity: 'critical',
    keywords: ['sharedaccesskey='],
    pattern: /SharedAccessKey\s{0,16}=\s{0,16}(?<secret>[A-Za-z0-9+/]{42,43}=)/i
  },
  {
    id: 'azure-sas-token',
    title: 'Azure shared access signature',
    severity: 'high',
    keywords: ['sig='],
    pattern:
      /\bsv=20\d\d-\d\d-\d\d&[^\s"'<>]{0,1024}?\bsig=(?<secret>[A-Za-z0-9%+/]{40,512}(?:%3D|=){0,2})/i
  },
  {
    id: 'azure-ad-client-secret',
    title: 'Azure AD (Entra ID) client secret',
    severity: 'high',
    keywords: ['q~'],
    // `~` and `.` belong to the secret's alphabet, so they cannot end it: a longer run of `~`-joined
    // text (a Freenet key, a CDN signature) is not a secret cut short.
    pattern: /(?<![\w+/~.-])(?<secret>[a-zA-Z0-9_~.-]{3}\dQ~[a-zA-Z0-9_~.-]{31,34})(?![\w+/=~.-])/,
    minEntropy: 3.5
  },
  {
    id: 'azure-devops-pat',
    title: 'Azure DevOps personal access token',
    severity: 'high',
    keywords: ['azure', 'devops', 'ado_'],
    pattern: near('(?:azure|devops|ado).{0,20}?(?:pat|token)', '[a-z2-7]{52}'),
    minEntropy: 3.5
  },
  {
    id: 'azure-devops-identifiable-pat',
    title: 'Azure DevOps personal access token',
    severity: 'high',
    keywords: ['jqqj99'],
    // Microsoft's identifiable keys: 52 random characters, the `JQQJ99` signature, 18 more, then
    // the provider's 4-character signature (`AZDO`) and a 4-character checksum: 84 in all.
    pattern: token(`${IDENTIFIABLE_KEY}AZDO[A-Za-z0-9]{4}`),
    minEntropy: 3.5
  },
  {
    id: 'azure-app-configuration-connection-string',
    title: 'Azure App Configuration connection string',
    severity: 'critical',
    keywords: ['.azconfig.io'],
    // Endpoint=https://<store>.azconfig.io;Id=<credential id>;Secret=<base64 key>
    pattern:
      /Endpoint=https:\/\/[a-z0-9-]{1,64}\.azconfig\.io\/?;Id=[^;\s"']{1,128};Secret=(?<secret>[A-Za-z0-9+/]{40,88}={0,2})/i
  },
  {
    id: 'azure-container-registry-key',
    title: 'Azure Container Registry access key',
    severity: 'high',
    keywords: ['+acr', 'jqqj99'],
    // Microsoft's identifiable keys (SEC101/176): 42 base64 characters, `+ACR`, then a checksum;
    // or the 84-character form with the `AZCR` signature.
    pattern: token(
      `[A-Za-z0-9+/]{42}\\+ACR[A-D][A-Za-z0-9+/]{5}|${IDENTIFIABLE_KEY}AZCR[A-Za-z0-9]{4}`
    ),
    minEntropy: 3.5
  },
  {
    id: 'azure-container-registry-password',
    title: 'Azure Container Registry admin password',
    severity: 'high',
    keywords: ['azurecr.io'],
    // `docker login <name>.azurecr.io -u <name> -p <password>` and `<name>.azurecr.io password: …`
    // on one line; the classic admin password is 32 base64 characters.
    pattern:
      /\.azurecr\.io\b[^\n]{0,120}?(?:password|passwd|-p)["']?[ \t]{0,3}[:= \t][ \t]{0,3}["']?(?<secret>[A-Za-z0-9+/=]{32,88})(?![\w+/=-])/i,
    minEntropy: 3.5
  },
  {
    id: 'azure-ai-services-key',
    title: 'Azure AI services (Cognitive Services, Azure OpenAI) key',
    severity: 'high',
    keywords: ['jqqj99'],
    // The identifiable form: provider signature `ACOG`.
    pattern: token(`${IDENTIFIABLE_KEY}ACOG[A-Za-z0-9]{4}`),
    minEntropy: 3.5
  },
  {
    id: 'azure-ai-services-legacy-key',
    title: 'Azure AI services (Cognitive Services, Azure OpenAI) key',
    severity: 'high',
    keywords: ['ocp-apim-subscription-key', 'azure', 'cognitive'],
    // The older 32-hex-digit keys carry no signature: only a name that says what they are (the
    // `Ocp-Apim-Subscription-Key` header, AZURE_OPENAI_API_KEY, AZURE_AI_…_KEY) makes hex a key.
    pattern: near(
      'ocp-apim-subscription-key|azure[_-]?(?:openai|ai|cognitive|speech|vision|language|translator|search|document)\\w{0,20}?[_-]?key|cognitive[_-]?services?[_-]?key',
      '[a-f0-9]{32}'
    ),
    minEntropy: 3
  },
  {
    id: 'azure-data-factory-key',
    title: 'Azure Data Factory integration runtime key',
    severity: 'high',
    keywords: ['ir@'],
    // IR@<runtime id>@<factory>@<region>@<base64 key>.
    pattern:
      /(?<![\w@])IR@[0-9a-zA-Z-]{36}@[\w.-]{1,90}@[a-z0-9-]{1,32}@(?<secret>[A-Za-z0-9+/]{43}=)/
  },
  {
    id: 'alibaba-access-key-id',
    title: 'Alibaba Cloud AccessKey ID',
    severity: 'medium',
    keywords: ['ltai'],
    pattern: token('LTAI[a-zA-Z0-9]{20}')
  },
  {
    id: 'digitalocean-token',
    title: 'DigitalOcean token',
    severity: 'critical',
    keywords: ['dop_v1_', 'doo_v1_', 'dor_v1_'],
    pattern: token('do[opr]_v1_[a-f0-9]{64}')
  },
  {
    id: 'cloudflare-origin-ca-key',
    title: 'Cloudflare Origin CA key',
    severity: 'high',
    keywords: ['v1.0-'],
    pattern: token('v1\\.0-[a-f0-9]{24}-[a-f0-9]{146}')
  },
  {
    id: 'cloudflare-api-token',
    title: 'Cloudflare API token',
    severity: 'high',
    keywords: ['cloudflare', 'cf_api'],
    pattern: near('cloudflare|cf_api', '[A-Za-z0-9_-]{40}'),
    minEntropy: 3.5
  },
  {
    id: 'heroku-api-key',
    title: 'Heroku API key',
    severity: 'high',
    keywords: ['heroku'],
    pattern: near('heroku', UUID)
  },
  {
    id: 'heroku-platform-token',
    title: 'Heroku platform API token',
    severity: 'high',
    keywords: ['hrku-'],
    pattern: token('HRKU-AA[0-9a-zA-Z_-]{58}')
  },
  {
    id: 'openshift-user-token',
    title: 'OpenShift OAuth access token',
    severity: 'critical',
    keywords: ['sha256~'],
    // OpenShift 4 user tokens: `sha256~` and 43 base64url characters.
    pattern: token('sha256~[a-zA-Z0-9_-]{43}'),
    minEntropy: 3.5
  },
  {
    id: 'netlify-access-token',
    title: 'Netlify access token',
    severity: 'high',
    keywords: ['netlify'],
    pattern: near('netlify[\\w.-]{0,20}?(?:token|key|secret)', '[a-zA-Z0-9=_-]{40,46}'),
    minEntropy: 3.5
  },
  {
    id: 'flyio-access-token',
    title: 'Fly.io API token',
    severity: 'high',
    keywords: ['fo1_', 'fm1a_', 'fm1r_', 'fm2_'],
    // Org tokens (`fo1_`) and macaroons (`fm1a_`, `fm1r_`, `fm2_`): fly.io/docs/security/tokens.
    pattern: token('fo1_[\\w-]{43}|fm(?:1[ar]|2)_[a-zA-Z0-9+/]{100,4096}={0,3}'),
    minEntropy: 3.5
  },
  {
    id: 'databricks-token',
    title: 'Databricks API token',
    severity: 'high',
    keywords: ['dapi'],
    pattern: token('dapi[a-f0-9]{32}(?:-\\d)?')
  },
  {
    id: 'hashicorp-vault-token',
    title: 'HashiCorp Vault token',
    severity: 'critical',
    keywords: ['hvs.', 'hvb.'],
    pattern: token('hv[sb]\\.[A-Za-z0-9_-]{90,512}')
  },
  {
    id: 'terraform-cloud-token',
    title: 'Terraform Cloud / Enterprise API token',
    severity: 'high',
    keywords: ['atlasv1'],
    pattern: token('[a-zA-Z0-9]{14}\\.atlasv1\\.[a-zA-Z0-9_=-]{60,70}')
  },
  {
    id: 'pulumi-token',
    title: 'Pulumi access token',
    severity: 'high',
    keywords: ['pul-'],
    pattern: token('pul-[a-f0-9]{40}')
  },
  {
    id: 'doppler-token',
    title: 'Doppler token',
    severity: 'high',
    keywords: ['dp.pt.', 'dp.st.', 'dp.sa.'],
    pattern: token('dp\\.(?:pt|st|sa)\\.[a-zA-Z0-9]{40,44}')
  },
  {
    id: 'dynatrace-token',
    title: 'Dynatrace API token',
    severity: 'high',
    keywords: ['dt0c01.'],
    pattern: token('dt0c01\\.[A-Z0-9]{24}\\.[A-Z0-9]{64}', 'i')
  },
  {
    id: 'datadog-api-key',
    title: 'Datadog API or application key',
    severity: 'high',
    keywords: ['datadog', 'dd_api_key', 'dd_app_key', 'dd_application_key'],
    pattern: near(
      'datadog.{0,20}?(?:key)|dd_api_key|dd_app(?:lication)?_key',
      '[a-f0-9]{32}|[a-f0-9]{40}'
    ),
    minEntropy: 3
  },
  {
    id: 'new-relic-key',
    title: 'New Relic API key',
    severity: 'high',
    keywords: ['nrak-', 'nrii-'],
    // User keys are `NRAK-` and 27 characters; Insights insert keys `NRII-` and 32.
    pattern: token('NRAK-[A-Z0-9]{27}|NRII-[A-Z0-9]{27}|NRII-[A-Z0-9_-]{32}', 'i')
  },
  {
    id: 'grafana-cloud-token',
    title: 'Grafana Cloud API token',
    severity: 'high',
    keywords: ['glc_'],
    pattern: token('glc_[A-Za-z0-9+/]{32,400}={0,2}')
  },
  {
    id: 'grafana-service-account-token',
    title: 'Grafana service account token',
    severity: 'high',
    keywords: ['glsa_'],
    pattern: token('glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}')
  },
  {
    id: 'grafana-api-key',
    title: 'Grafana API key',
    severity: 'high',
    keywords: ['eyjrijoi'],
    pattern: token('eyJrIjoi[A-Za-z0-9]{70,400}={0,2}')
  },
  {
    id: 'sentry-token',
    title: 'Sentry auth token',
    severity: 'high',
    keywords: ['sntrys_', 'sntryu_'],
    // Org tokens: `sntrys_`, base64 of a JSON claim set, `_`, 43 base64 characters (Sentry RFC 91).
    pattern: token('sntrys_eyJ[A-Za-z0-9+/]{20,400}={0,2}_[A-Za-z0-9+/]{43}|sntryu_[a-f0-9]{64}')
  },
  {
    id: 'sentry-legacy-auth-token',
    title: 'Sentry auth token (legacy, unprefixed)',
    severity: 'high',
    keywords: ['sentry'],
    // 64 hex digits, as a checksum is too: only under a name saying token or auth.
    pattern: near('sentry[\\w.-]{0,20}?(?:token|auth)', '[a-f0-9]{64}'),
    minEntropy: 3
  },

  // Source hosting and CI.
  {
    id: 'github-pat',
    title: 'GitHub personal access token (classic)',
    severity: 'critical',
    keywords: ['ghp_'],
    pattern: token(`ghp_${GITHUB_TOKEN_BODY}`)
  },
  {
    id: 'github-fine-grained-pat',
    title: 'GitHub fine-grained personal access token',
    severity: 'critical',
    keywords: ['github_pat_'],
    // The prefix is distinctive enough to be found glued to a word (`ourgithub_pat_…`).
    pattern: /(?<secret>github_pat_[0-9a-zA-Z_]{82})(?![\w+/=-])/
  },
  {
    id: 'github-oauth-token',
    title: 'GitHub OAuth access token',
    severity: 'critical',
    keywords: ['gho_'],
    pattern: token(`gho_${GITHUB_TOKEN_BODY}`)
  },
  {
    id: 'github-app-token',
    title: 'GitHub App token',
    severity: 'critical',
    keywords: ['ghu_', 'ghs_'],
    // Since April 2026 installation tokens are also `ghs_<app id>_<JWT>` (~520 characters).
    pattern: token(
      `gh[us]_${GITHUB_TOKEN_BODY}|ghs_[0-9]{1,20}_[A-Za-z0-9_-]{10,1024}\\.[A-Za-z0-9_-]{10,4096}\\.[A-Za-z0-9_-]{10,1024}`
    )
  },
  {
    id: 'github-refresh-token',
    title: 'GitHub refresh token',
    severity: 'critical',
    keywords: ['ghr_'],
    pattern: token('ghr_[0-9a-zA-Z]{36,76}')
  },
  {
    id: 'gitlab-pat',
    title: 'GitLab personal access token',
    severity: 'critical',
    keywords: ['glpat-'],
    pattern: token('glpat-[0-9a-zA-Z_-]{20,255}')
  },
  {
    id: 'gitlab-pipeline-trigger-token',
    title: 'GitLab pipeline trigger token',
    severity: 'high',
    keywords: ['glptt-'],
    pattern: token('glptt-[0-9a-f]{40}')
  },
  {
    id: 'gitlab-runner-token',
    title: 'GitLab runner token',
    severity: 'high',
    keywords: ['glrt-', 'gr1348941'],
    pattern: token('glrt-[0-9a-zA-Z_-]{20,255}|GR1348941[0-9a-zA-Z_-]{20}'),
    // `GR1348941` and twenty digits counting up is filler, not a registration token.
    minEntropy: 3
  },
  {
    id: 'gitlab-deploy-token',
    title: 'GitLab deploy token',
    severity: 'high',
    keywords: ['gldt-'],
    pattern: token('gldt-[0-9a-zA-Z_-]{20,255}')
  },
  {
    id: 'gitlab-oauth-app-secret',
    title: 'GitLab OAuth application secret',
    severity: 'high',
    keywords: ['gloas-'],
    pattern: token('gloas-[0-9a-zA-Z_-]{64}')
  },
  {
    id: 'gitlab-feed-token',
    title: 'GitLab feed token',
    severity: 'medium',
    keywords: ['glft-'],
    pattern: token('glft-[0-9a-zA-Z_-]{20}')
  },
  {
    id: 'gitlab-agent-token',
    title: 'GitLab agent for Kubernetes token',
    severity: 'high',
    keywords: ['glagent-'],
    pattern: token('glagent-[0-9a-zA-Z_-]{50}')
  },
  {
    id: 'gitlab-scim-token',
    title: 'GitLab SCIM token',
    severity: 'high',
    keywords: ['glsoat-'],
    pattern: token('glsoat-[0-9a-zA-Z_-]{20}')
  },
  {
    id: 'gitlab-ci-job-token',
    title: 'GitLab CI/CD job token',
    severity: 'high',
    keywords: ['glcbt-'],
    pattern: token('glcbt-[0-9a-zA-Z_-]{20,1024}')
  },
  {
    id: 'gitlab-incoming-mail-token',
    title: 'GitLab incoming mail token',
    severity: 'medium',
    keywords: ['glimt-'],
    pattern: token('glimt-[0-9a-zA-Z_-]{25,255}')
  },
  {
    id: 'gitlab-feature-flags-client-token',
    title: 'GitLab feature flags client token',
    severity: 'medium',
    keywords: ['glffct-'],
    pattern: token('glffct-[0-9a-zA-Z_-]{20,255}')
  },
  {
    id: 'gitlab-session-cookie',
    title: 'GitLab session cookie',
    severity: 'high',
    keywords: ['_gitlab_session='],
    pattern: /_gitlab_session=(?<secret>[0-9a-z]{32})(?![0-9a-z])/
  },
  {
    id: 'bitbucket-app-password',
    title: 'Bitbucket app password',
    severity: 'high',
    keywords: ['atbb'],
    pattern: token('ATBB[a-zA-Z0-9]{32}')
  },
  {
    id: 'atlassian-api-token',
    title: 'Atlassian API token',
    severity: 'high',
    keywords: ['atatt3'],
    pattern: token('ATATT3[A-Za-z0-9_=-]{186}')
  },
  {
    id: 'buildkite-token',
    title: 'Buildkite agent or API token',
    severity: 'high',
    keywords: ['bkua_'],
    pattern: token('bkua_[a-f0-9]{40}')
  },
  {
    id: 'sourcegraph-token',
    title: 'Sourcegraph access token',
    severity: 'high',
    keywords: ['sgp_'],
    // `sgp_<16 hex>_`, `sgp_local_` or (legacy) just `sgp_`, then 40 hex digits.
    pattern: token('sgp_(?:(?:[a-fA-F0-9]{16}|local)_)?[a-fA-F0-9]{40}'),
    minEntropy: 3
  },
  {
    id: 'travis-ci-token',
    title: 'Travis CI API token',
    severity: 'high',
    keywords: ['travis'],
    pattern: near('travis[\\w.-]{0,20}?(?:token|key|secret)', '[a-zA-Z0-9]{22}'),
    minEntropy: 3
  },
  {
    id: 'harness-token',
    title: 'Harness access token',
    severity: 'high',
    keywords: ['pat.', 'sat.'],
    pattern: token('(?:pat|sat)\\.[a-zA-Z0-9_-]{22}\\.[a-zA-Z0-9]{24}\\.[a-zA-Z0-9]{20}')
  },
  {
    id: 'octopus-deploy-api-key',
    title: 'Octopus Deploy API key',
    severity: 'medium',
    keywords: ['api-'],
    pattern: token('API-[A-Z0-9]{26}'),
    minEntropy: 3.5
  },
  {
    id: 'snyk-token',
    title: 'Snyk API token',
    severity: 'high',
    keywords: ['snyk'],
    pattern: near('snyk', UUID)
  },

  // Package registries.
  {
    id: 'npm-token',
    title: 'npm access token',
    severity: 'critical',
    keywords: ['npm_'],
    pattern: token('npm_[a-zA-Z0-9]{36}')
  },
  {
    id: 'npmrc-auth',
    title: 'Registry credential in .npmrc',
    severity: 'high',
    keywords: ['_auth', '_password'],
    paths: ['**/.npmrc', '**/npmrc'],
    pattern: /(?:_authToken|_auth|_password)\s{0,16}=\s{0,16}["']?(?<secret>[^\s"']{8,2048})/,
    chosen: true
  },
  {
    id: 'yarnrc-auth',
    title: 'Registry credential in .yarnrc.yml',
    severity: 'high',
    keywords: ['npmauth'],
    paths: ['**/.yarnrc.yml', '**/.yarnrc.yaml'],
    pattern: /npmAuth(?:Token|Ident)\s{0,16}:\s{0,16}["']?(?<secret>[^\s"']{8,2048})/,
    chosen: true
  },
  {
    id: 'pypi-token',
    title: 'PyPI upload token',
    severity: 'critical',
    keywords: ['pypi-ageichlwas5vcmc'],
    pattern: token('pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,1024}')
  },
  {
    id: 'pypirc-password',
    title: 'Password in .pypirc',
    severity: 'high',
    keywords: ['password'],
    paths: ['**/.pypirc'],
    pattern: /^[ \t]{0,64}password[ \t]{0,16}[=:][ \t]{0,16}(?<secret>\S{1,1024})/m,
    chosen: true
  },
  {
    id: 'rubygems-token',
    title: 'RubyGems API key',
    severity: 'critical',
    keywords: ['rubygems_'],
    pattern: token('rubygems_[a-f0-9]{48}')
  },
  {
    id: 'sidekiq-gems-credentials',
    title: 'Sidekiq Pro/Enterprise gem server credentials',
    severity: 'high',
    keywords: ['contribsys__com'],
    // Bundler's per-host setting for Sidekiq's private gem server: `user:password`, 8 hex each.
    pattern: near('BUNDLE_(?:ENTERPRISE|GEMS)__CONTRIBSYS__COM', '[a-f0-9]{8}:[a-f0-9]{8}')
  },
  {
    id: 'nuget-api-key',
    title: 'NuGet API key',
    severity: 'high',
    keywords: ['oy2'],
    pattern: token('oy2[a-z0-9]{43}'),
    minEntropy: 3.5
  },
  {
    id: 'nuget-config-password',
    title: 'Clear-text password in NuGet.Config',
    severity: 'high',
    keywords: ['cleartextpassword'],
    pattern:
      /key\s{0,16}=\s{0,16}"ClearTextPassword"\s{1,16}value\s{0,16}=\s{0,16}"(?<secret>[^"]{1,1024})"/i,
    chosen: true
  },
  {
    id: 'clojars-token',
    title: 'Clojars deploy token',
    severity: 'high',
    keywords: ['clojars_'],
    pattern: token('CLOJARS_[a-z0-9]{60}', 'i')
  },
  {
    id: 'jfrog-api-key',
    title: 'JFrog Artifactory API key or reference token',
    severity: 'high',
    keywords: ['akcp', 'cmvmdgtu'],
    pattern: token('AKCp[A-Za-z0-9]{69}|cmVmdGtu[A-Za-z0-9]{56}')
  },
  {
    id: 'jfrog-identity-token',
    title: 'JFrog identity token',
    severity: 'high',
    keywords: ['jfrog', 'artifactory', 'bintray', 'xray'],
    // 64 unprefixed characters: only under a JFrog name that says token, key, password or secret.
    pattern: near(
      '(?:jfrog|artifactory|bintray|xray)[\\w.-]{0,20}?(?:token|key|password|secret)',
      '[a-zA-Z0-9]{64}'
    ),
    minEntropy: 3.5
  },
  {
    id: 'private-packagist-token',
    title: 'Private Packagist authentication token',
    severity: 'high',
    keywords: ['packagist_ort_', 'packagist_out_', 'packagist_uut_', 'packagist_cut_'],
    // Prefix, 60 hex characters of random data and an 8-hex-character checksum.
    pattern: token('packagist_(?:ort|out|uut|cut)_[a-fA-F0-9]{68}')
  },
  {
    id: 'maven-settings-password',
    title: 'Password in Maven settings.xml',
    severity: 'high',
    keywords: ['<password>', '<passphrase>', '<master>'],
    paths: ['**/settings.xml', '**/settings-security.xml'],
    // A server's <password> or key <passphrase>, or settings-security.xml's <master>.
    pattern:
      /<(?:password|passphrase|master)>\s{0,64}(?<secret>[^<\s$](?:[^<]{0,1022}[^<\s])?)\s{0,64}<\/(?:password|passphrase|master)>/,
    chosen: true
  },
  {
    id: 'gradle-properties-credential',
    title: 'Credential in gradle.properties',
    severity: 'high',
    keywords: ['password', 'token', 'secret'],
    paths: ['**/gradle.properties'],
    pattern:
      /^[ \t]{0,64}[\w.]{0,64}?(?:password|token|secret)[\w.]{0,64}[ \t]{0,16}[=:][ \t]{0,16}(?<secret>\S{1,1024})/im,
    chosen: true
  },
  {
    id: 'docker-config-auth',
    title: 'Registry credential in a Docker config.json',
    severity: 'critical',
    keywords: ['"auth"'],
    paths: ['**/.docker/config.json', '**/config.json', '**/.dockercfg', '**/containers/auth.json'],
    context: /"auths"\s{0,16}:|"https?:\/\/[^"]{1,1024}"\s{0,16}:\s{0,16}\{\s{0,16}"auth"/,
    pattern: /"auth"\s{0,16}:\s{0,16}"(?<secret>[A-Za-z0-9+/]{8,4096}={0,2})"/
  },

  // Collaboration, payments, messaging.
  {
    id: 'slack-bot-token',
    title: 'Slack bot token',
    severity: 'critical',
    keywords: ['xoxb-'],
    pattern: token('xoxb-[0-9]{10,13}-[0-9]{10,13}[a-zA-Z0-9-]{0,64}')
  },
  {
    id: 'slack-legacy-bot-token',
    title: 'Slack legacy bot token',
    severity: 'high',
    // `xoxb-<id>-<24 characters>`; a second run of digits is the current form (slack-bot-token).
    keywords: ['xoxb-'],
    pattern: token('xoxb-[0-9]{8,14}-(?![0-9]{10})[a-zA-Z0-9]{18,26}')
  },
  {
    id: 'slack-config-refresh-token',
    title: 'Slack configuration refresh token',
    severity: 'high',
    keywords: ['xoxe-'],
    pattern: token('xoxe-\\d-[A-Z0-9]{146}', 'i')
  },
  {
    id: 'slack-user-token',
    title: 'Slack user token',
    severity: 'critical',
    keywords: ['xoxp-', 'xoxe-'],
    pattern: token('xox[pe](?:-[0-9]{10,13}){3}-[a-zA-Z0-9-]{28,34}')
  },
  {
    id: 'slack-app-token',
    title: 'Slack app-level token',
    severity: 'high',
    keywords: ['xapp-'],
    pattern: token('xapp-\\d-[A-Z0-9]{1,32}-\\d{1,32}-[a-z0-9]{1,128}', 'i')
  },
  {
    id: 'slack-config-token',
    title: 'Slack configuration token',
    severity: 'high',
    keywords: ['xoxe.xox'],
    pattern: token('xoxe\\.xox[bp]-\\d-[A-Z0-9]{163,166}', 'i')
  },
  {
    id: 'slack-legacy-token',
    title: 'Slack legacy token',
    severity: 'high',
    keywords: ['xoxo-', 'xoxs-', 'xoxa-', 'xoxr-'],
    // Workspace tokens (`xoxa-2-…`) carry up to four numeric ids before the random part.
    pattern: token('xox[osar]-(?:\\d{1,16}-){0,4}[0-9a-zA-Z]{8,48}')
  },
  {
    id: 'slack-webhook',
    title: 'Slack incoming webhook URL',
    severity: 'high',
    keywords: ['hooks.slack.com'],
    pattern: /hooks\.slack\.com\/(?:services|workflows|triggers)\/(?<secret>[A-Za-z0-9+/]{43,56})/
  },
  {
    id: 'discord-webhook',
    title: 'Discord webhook URL',
    severity: 'high',
    keywords: ['discord'],
    pattern: /discord(?:app)?\.com\/api\/webhooks\/\d{1,32}\/(?<secret>[\w-]{60,70})/
  },
  {
    id: 'discord-bot-token',
    title: 'Discord bot token',
    severity: 'high',
    keywords: ['discord'],
    pattern: near('discord', '[MNO][a-zA-Z\\d_-]{23,25}\\.[a-zA-Z\\d_-]{6}\\.[a-zA-Z\\d_-]{27,38}')
  },
  {
    id: 'telegram-bot-token',
    title: 'Telegram bot token',
    severity: 'high',
    keywords: ['telegram', 'tg_'],
    pattern: near('telegram|tg_bot', '[0-9]{5,16}:A[a-zA-Z0-9_-]{34}')
  },
  {
    id: 'microsoft-teams-webhook',
    title: 'Microsoft Teams incoming webhook URL',
    severity: 'high',
    keywords: ['webhook.office.com'],
    pattern:
      /\.webhook\.office\.com\/webhookb2\/[a-z0-9-]{1,64}@[a-z0-9-]{1,64}\/IncomingWebhook\/(?<secret>[a-z0-9]{32})\//i
  },
  {
    id: 'stripe-live-key',
    title: 'Stripe live secret or restricted key',
    severity: 'critical',
    keywords: ['sk_live_', 'rk_live_', 'sk_prod_', 'rk_prod_'],
    pattern: token('[sr]k_(?:live|prod)_[0-9a-zA-Z]{24,99}')
  },
  {
    id: 'stripe-publishable-key',
    title: 'Stripe publishable key',
    // Meant for browsers, yet it names the account and belongs in configuration, not the image.
    severity: 'low',
    keywords: ['pk_live_', 'pk_test_'],
    pattern: token('pk_(?:live|test)_[0-9a-zA-Z]{24,99}')
  },
  {
    id: 'stripe-test-key',
    title: 'Stripe test secret key',
    severity: 'low',
    keywords: ['sk_test_', 'rk_test_'],
    pattern: token('[sr]k_test_[0-9a-zA-Z]{24,99}')
  },
  {
    id: 'stripe-webhook-secret',
    title: 'Stripe webhook signing secret',
    severity: 'high',
    keywords: ['whsec_'],
    pattern: token('whsec_[0-9a-zA-Z]{32,256}')
  },
  {
    id: 'square-token',
    title: 'Square access token or secret',
    severity: 'critical',
    keywords: ['sq0atp-', 'sq0csp-', 'eaaa'],
    pattern: token('sq0atp-[0-9A-Za-z_-]{22}|sq0csp-[0-9A-Za-z_-]{43}|EAAA[0-9A-Za-z_-]{60}')
  },
  {
    id: 'shopify-token',
    title: 'Shopify access token or shared secret',
    severity: 'critical',
    keywords: ['shpat_', 'shpss_', 'shpca_', 'shppa_'],
    pattern: token('shp(?:at|ss|ca|pa)_[a-fA-F0-9]{32}')
  },
  {
    id: 'paypal-braintree-token',
    title: 'PayPal Braintree access token',
    severity: 'critical',
    keywords: ['access_token$production$'],
    pattern: token('access_token\\$production\\$[0-9a-z]{16}\\$[0-9a-f]{32}')
  },
  {
    id: 'flutterwave-secret-key',
    title: 'Flutterwave secret key',
    severity: 'high',
    keywords: ['flwseck'],
    pattern: token('FLWSECK(?:_TEST)?-[a-hA-H0-9]{32}-X')
  },
  {
    id: 'gocardless-access-token',
    title: 'GoCardless live access token',
    severity: 'high',
    keywords: ['gocardless'],
    pattern: near('gocardless', 'live_[a-zA-Z0-9_=-]{40}'),
    minEntropy: 3
  },
  {
    id: 'coinbase-access-token',
    title: 'Coinbase access token',
    severity: 'high',
    keywords: ['coinbase'],
    pattern: near('coinbase', '[a-zA-Z0-9_-]{64}'),
    minEntropy: 3.5
  },
  {
    id: 'twilio-api-key',
    title: 'Twilio API key',
    severity: 'high',
    keywords: ['twilio'],
    pattern: near('twilio', 'SK[0-9a-fA-F]{32}')
  },
  {
    id: 'twilio-auth-token',
    title: 'Twilio auth token',
    severity: 'high',
    keywords: ['twilio'],
    pattern: near('twilio.{0,20}?(?:auth|token|secret)', '[0-9a-f]{32}'),
    minEntropy: 3
  },
  {
    id: 'sendgrid-api-key',
    title: 'SendGrid API key',
    severity: 'critical',
    keywords: ['sg.'],
    pattern: token('SG\\.[a-zA-Z0-9_-]{22}\\.[a-zA-Z0-9_-]{43}')
  },
  {
    id: 'mailgun-api-key',
    title: 'Mailgun API key',
    severity: 'high',
    keywords: ['mailgun'],
    pattern: near('mailgun', 'key-[a-f0-9]{32}|[a-f0-9]{32}-[a-f0-9]{8}-[a-f0-9]{8}')
  },
  {
    id: 'mailchimp-api-key',
    title: 'Mailchimp API key',
    severity: 'high',
    // `-us` and the datacenter's digit: `-us` alone is in most text files (`-user`, `en-us`).
    keywords: [...'0123456789'].map((digit) => `-us${digit}`),
    pattern: token('[0-9a-f]{32}-us\\d{1,2}'),
    minEntropy: 3.3
  },
  {
    id: 'brevo-api-key',
    title: 'Brevo (Sendinblue) API key',
    severity: 'high',
    keywords: ['xkeysib-'],
    pattern: token('xkeysib-[a-f0-9]{64}-[a-z0-9]{16}', 'i')
  },
  {
    id: 'postmark-token',
    title: 'Postmark server token',
    severity: 'high',
    keywords: ['postmark'],
    pattern: near('postmark', UUID)
  },
  {
    id: 'facebook-access-token',
    title: 'Facebook / Meta access token',
    severity: 'high',
    keywords: ['eaac', 'eaam'],
    pattern: token('EAA[MC][a-zA-Z0-9]{100,1024}')
  },
  {
    id: 'twitter-bearer-token',
    title: 'X (Twitter) bearer token',
    severity: 'high',
    keywords: ['twitter', 'aaaaaaaaaaaaaaaaaaaaaa'],
    pattern: token('A{22}[a-zA-Z0-9%]{80,100}')
  },
  {
    id: 'linear-api-key',
    title: 'Linear API key',
    severity: 'high',
    keywords: ['lin_api_'],
    pattern: token('lin_api_[a-z0-9]{40}', 'i')
  },
  {
    id: 'postman-api-key',
    title: 'Postman API key',
    severity: 'high',
    keywords: ['pmak-'],
    pattern: token('PMAK-[a-f0-9]{24}-[a-f0-9]{34}', 'i')
  },
  {
    id: 'airtable-token',
    title: 'Airtable personal access token',
    severity: 'high',
    keywords: ['pat'],
    pattern: token('pat[a-zA-Z0-9]{14}\\.[a-f0-9]{64}')
  },
  {
    id: 'contentful-token',
    title: 'Contentful personal access token',
    severity: 'high',
    keywords: ['cfpat-'],
    pattern: token('CFPAT-[a-zA-Z0-9_-]{43}')
  },
  {
    id: 'typeform-token',
    title: 'Typeform personal access token',
    severity: 'high',
    keywords: ['tfp_'],
    pattern: token('tfp_[a-z0-9_=.-]{59}', 'i')
  },
  {
    id: 'mapbox-secret-token',
    title: 'Mapbox secret token',
    severity: 'high',
    keywords: ['sk.eyj1ijoi'],
    pattern: token('sk\\.eyJ1Ijoi[a-zA-Z0-9]{1,256}\\.[a-zA-Z0-9_-]{20,1024}')
  },
  {
    id: 'hubspot-api-key',
    title: 'HubSpot API key (legacy)',
    severity: 'high',
    keywords: ['hubspot'],
    // Form and portal ids are UUIDs too, and public: only under a name saying key or token.
    pattern: near('hubspot[\\w.-]{0,20}?(?:key|token)', UUID)
  },
  {
    id: 'sumologic-access-key',
    title: 'Sumo Logic access key',
    severity: 'high',
    keywords: ['sumo'],
    pattern: near('sumo[\\w.-]{0,20}?(?:key|token|secret)', '[a-zA-Z0-9]{64}'),
    minEntropy: 3.5
  },
  {
    id: 'maxmind-license-key',
    title: 'MaxMind license key',
    severity: 'high',
    keywords: ['_mmk'],
    pattern: token('[a-zA-Z0-9]{6}_[a-zA-Z0-9]{29}_mmk'),
    minEntropy: 3.5
  },
  {
    id: 'freshbooks-access-token',
    title: 'FreshBooks access token',
    severity: 'high',
    keywords: ['freshbooks'],
    pattern: near('freshbooks[\\w.-]{0,20}?(?:token|key|secret)', '[a-z0-9]{64}'),
    minEntropy: 3.5
  },
  {
    id: 'looker-client-secret',
    title: 'Looker API client secret',
    severity: 'high',
    keywords: ['looker'],
    // A client secret is 24 characters; the client id beside it (20) is not a secret.
    pattern: near('looker[\\w.-]{0,20}?(?:token|key|secret)', '[a-zA-Z0-9]{24}'),
    minEntropy: 3.5
  },
  {
    id: 'zendesk-api-token',
    title: 'Zendesk API token',
    severity: 'high',
    keywords: ['zendesk'],
    pattern: near('zendesk[\\w.-]{0,20}?(?:token|key|secret)', '[a-zA-Z0-9]{40}'),
    minEntropy: 3.5
  },
  {
    id: 'twitch-api-token',
    title: 'Twitch client secret or OAuth token',
    severity: 'high',
    keywords: ['twitch'],
    pattern: near('twitch[\\w.-]{0,20}?(?:token|key|secret)', '[a-z0-9]{30}'),
    minEntropy: 3
  },
  {
    id: 'plaid-api-secret',
    title: 'Plaid API secret',
    severity: 'high',
    keywords: ['plaid'],
    // 30 characters; the 24-character client id is an identifier, not a secret.
    pattern: near('plaid[\\w.-]{0,20}?(?:token|key|secret)', '[a-z0-9]{30}'),
    minEntropy: 3
  },
  {
    id: 'linkedin-client-secret',
    title: 'LinkedIn client secret',
    severity: 'high',
    keywords: ['linkedin', 'linked_in', 'linked-in'],
    // 16 characters; the 14-character client id is public.
    pattern: near('linked[_-]?in[\\w.-]{0,20}?(?:token|key|secret)', '[a-zA-Z0-9]{16}'),
    minEntropy: 3
  },
  {
    id: 'launchdarkly-access-token',
    title: 'LaunchDarkly access token or SDK key',
    severity: 'high',
    keywords: ['launchdarkly'],
    // `api-`/`sdk-`/`mob-` and a UUID: 40 characters. A flag key can be as long, hence the name.
    pattern: near(
      'launchdarkly[\\w.-]{0,20}?(?:token|secret|(?:sdk|api|mobile|access)[_.-]?key)',
      '[a-zA-Z0-9=_-]{40}'
    ),
    minEntropy: 3
  },
  {
    id: 'okta-api-token',
    title: 'Okta API token',
    severity: 'high',
    keywords: ['okta'],
    pattern: near('okta', '00[a-zA-Z0-9_-]{40}'),
    minEntropy: 3.5
  },
  {
    id: 'algolia-admin-key',
    title: 'Algolia API key',
    severity: 'high',
    keywords: ['algolia'],
    pattern: near('algolia', '[a-z0-9]{32}'),
    minEntropy: 3.3
  },
  {
    id: 'easypost-api-key',
    title: 'EasyPost API key',
    severity: 'high',
    keywords: ['ezak', 'eztk'],
    // `EZAK` production, `EZTK` test keys.
    pattern: token('EZ[AT]K[a-z0-9]{54}', 'i')
  },
  {
    id: 'shippo-api-token',
    title: 'Shippo API token',
    severity: 'high',
    keywords: ['shippo_'],
    pattern: token('shippo_(?:live|test)_[a-fA-F0-9]{40}')
  },
  {
    id: 'duffel-api-token',
    title: 'Duffel API token',
    severity: 'high',
    keywords: ['duffel_'],
    pattern: token('duffel_(?:test|live)_[a-z0-9_=-]{43}', 'i')
  },
  {
    id: 'frameio-api-token',
    title: 'Frame.io API token',
    severity: 'high',
    keywords: ['fio-u-'],
    pattern: token('fio-u-[a-z0-9_=-]{64}', 'i')
  },
  {
    id: 'adobe-client-secret',
    title: 'Adobe client secret',
    severity: 'high',
    keywords: ['p8e-'],
    pattern: token('p8e-[a-z0-9]{32}', 'i'),
    minEntropy: 3.5
  },
  {
    id: 'prefect-api-key',
    title: 'Prefect API key',
    severity: 'high',
    keywords: ['pnu_'],
    pattern: token('pnu_[a-z0-9]{36}', 'i')
  },
  {
    id: 'readme-api-key',
    title: 'ReadMe API key',
    severity: 'high',
    keywords: ['rdme_'],
    pattern: token('rdme_[a-z0-9]{70}')
  },
  {
    id: 'scalingo-api-token',
    title: 'Scalingo API token',
    severity: 'high',
    keywords: ['tk-us-'],
    pattern: token('tk-us-[\\w-]{48}')
  },
  {
    id: 'infracost-api-token',
    title: 'Infracost API token',
    severity: 'high',
    keywords: ['ico-'],
    // Not after a `.`: `favicon.ico-<hash>.png` is a cache-busted file name.
    pattern: /(?<![\w+/.-])(?<secret>ico-[a-zA-Z0-9]{32})(?![\w+/=-])/
  },
  {
    id: 'onepassword-service-account-token',
    title: '1Password service account token',
    severity: 'critical',
    keywords: ['ops_eyj'],
    pattern: token('ops_eyJ[a-zA-Z0-9+/]{250,4096}={0,3}')
  },
  {
    id: 'onepassword-secret-key',
    title: '1Password account secret key',
    severity: 'critical',
    keywords: ['a3-'],
    pattern: token(
      'A3-[A-Z0-9]{6}-(?:[A-Z0-9]{11}|[A-Z0-9]{6}-[A-Z0-9]{5})-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}'
    )
  },
  {
    id: 'planetscale-token',
    title: 'PlanetScale password or token',
    severity: 'high',
    keywords: ['pscale_'],
    pattern: token('pscale_(?:tkn|pw|oauth)_[a-zA-Z0-9=._-]{32,64}')
  },

  // AI services.
  {
    id: 'openai-api-key',
    title: 'OpenAI API key',
    severity: 'critical',
    keywords: ['t3blbkfj'],
    // `sk-ant-` (Anthropic) and `sk-or-` (OpenRouter) are other vendors' keys.
    pattern: token(
      'sk-(?!ant-|or-)(?:(?:proj|svcacct|admin)-)?[A-Za-z0-9_-]{20,200}T3BlbkFJ[A-Za-z0-9_-]{20,200}'
    )
  },
  {
    id: 'openai-ephemeral-key',
    title: 'OpenAI Realtime client secret (ephemeral key)',
    // Minted for a browser session and short-lived (10 s to 2 h), yet it spends the account's quota.
    severity: 'medium',
    keywords: ['ek_'],
    pattern: token('ek_[a-f0-9]{32}'),
    minEntropy: 3
  },
  {
    id: 'openrouter-api-key',
    title: 'OpenRouter API key',
    severity: 'critical',
    keywords: ['sk-or-v1-'],
    pattern: token('sk-or-v1-[a-f0-9]{64}')
  },
  {
    id: 'perplexity-api-key',
    title: 'Perplexity API key',
    severity: 'critical',
    keywords: ['pplx-'],
    pattern: token('pplx-[a-zA-Z0-9]{48}'),
    minEntropy: 3.5
  },
  {
    id: 'groq-api-key',
    title: 'Groq API key',
    severity: 'critical',
    keywords: ['gsk_'],
    pattern: token('gsk_[a-zA-Z0-9]{48}')
  },
  {
    id: 'langsmith-api-key',
    title: 'LangSmith API key',
    severity: 'high',
    keywords: ['lsv2_pt_', 'lsv2_sk_'],
    // Personal access token (`pt`) or service key (`sk`): 32 characters, `_`, a 10-character check.
    pattern: token('lsv2_(?:pt|sk)_[a-z0-9]{32}_[a-z0-9]{10}'),
    minEntropy: 3
  },
  {
    id: 'anthropic-api-key',
    title: 'Anthropic API key',
    severity: 'critical',
    keywords: ['sk-ant-'],
    pattern: token('sk-ant-(?:api03|admin01)-[a-zA-Z0-9_-]{93}AA')
  },
  // Keys gitleaks finds by the vendor's name beside the value (its semi-generic rules): the
  // name is the keyword, and the value must have the vendor's length and alphabet.
  {
    id: 'adyen-api-key',
    title: 'Adyen API key',
    severity: 'critical',
    keywords: ['aqe'],
    pattern: token('AQE[A-Za-z0-9]{5,32}\\.[A-Za-z0-9_=-]{50,80}'),
    minEntropy: 3.5
  },
  {
    id: 'adyen-client-key',
    title: 'Adyen client key',
    severity: 'medium',
    keywords: ['adyen'],
    pattern: near('adyen', '(?:test|live)_[A-Za-z0-9]{30,40}'),
    minEntropy: 3.5
  },
  {
    id: 'airtable-api-key',
    title: 'Airtable legacy API key',
    severity: 'high',
    keywords: ['airtable'],
    pattern: near('airtable', '[A-Za-z0-9]{17}'),
    // 17 random letters and digits fall below 3.5 bits each 3 times in 100, below 3.2 4 in 10,000.
    minEntropy: 3.2
  },
  {
    id: 'beamer-api-key',
    title: 'Beamer API key',
    severity: 'high',
    keywords: ['beamer'],
    pattern: near('beamer', 'b_[A-Za-z0-9=_-]{44}'),
    minEntropy: 3.5
  },
  {
    id: 'cloudflare-global-api-key',
    title: 'Cloudflare global API key',
    severity: 'critical',
    keywords: ['cloudflare'],
    pattern: near('cloudflare', '[a-f0-9]{37}'),
    minEntropy: 3
  },
  {
    id: 'codecov-token',
    title: 'Codecov access or upload token',
    severity: 'medium',
    keywords: ['codecov'],
    pattern: near('codecov', `[a-z0-9]{32}|${UUID}`),
    minEntropy: 3
  },
  {
    id: 'discord-client-secret',
    title: 'Discord API key or client secret',
    severity: 'high',
    keywords: ['discord'],
    pattern: near('discord', '[a-f0-9]{64}|[A-Za-z0-9=_-]{32}'),
    minEntropy: 3
  },
  {
    id: 'fastly-api-token',
    title: 'Fastly API token',
    severity: 'high',
    keywords: ['fastly'],
    pattern: near('fastly', '[A-Za-z0-9=_-]{32}'),
    minEntropy: 3.5
  },
  {
    id: 'anthropic-oauth-token',
    title: 'Anthropic OAuth access or refresh token',
    severity: 'high',
    keywords: ['sk-ant-oat01-', 'sk-ant-ort01-'],
    // No published length; `oat01` is an access token, `ort01` a refresh token.
    pattern: token('sk-ant-o[ar]t01-[a-zA-Z0-9_-]{40,1024}'),
    minEntropy: 3.5
  },
  {
    id: 'huggingface-token',
    title: 'Hugging Face access token',
    severity: 'high',
    keywords: ['hf_'],
    pattern: token('hf_[a-zA-Z]{34}'),
    minEntropy: 3.5
  },
  {
    id: 'huggingface-org-token',
    title: 'Hugging Face organization API token',
    severity: 'high',
    keywords: ['api_org_'],
    pattern: token('api_org_[a-zA-Z]{34}'),
    minEntropy: 3.5
  },

  {
    id: 'cisco-meraki-api-key',
    title: 'Cisco Meraki Dashboard API key',
    severity: 'high',
    keywords: ['meraki'],
    pattern: near('meraki[\\w.-]{0,20}?(?:token|key|secret)', '[0-9a-f]{40}'),
    minEntropy: 3
  },
  {
    id: 'clickhouse-cloud-api-secret',
    title: 'ClickHouse Cloud API key secret',
    severity: 'high',
    keywords: ['4b1d'],
    pattern: token('4b1d[A-Za-z0-9]{38}'),
    minEntropy: 3.5
  },
  {
    id: 'cohere-api-key',
    title: 'Cohere API key',
    severity: 'high',
    keywords: ['cohere', 'co_api_key'],
    pattern: near('cohere[\\w.-]{0,20}?(?:token|key|secret)|co_api_key', '[a-zA-Z0-9]{40}'),
    minEntropy: 4
  },
  {
    id: 'defined-networking-api-token',
    title: 'Defined Networking API token',
    severity: 'high',
    keywords: ['dnkey-'],
    pattern: token('dnkey-[a-z0-9=_-]{26}-[a-z0-9=_-]{52}', 'i'),
    minEntropy: 3
  },
  {
    id: 'drone-ci-token',
    title: 'Drone CI access token',
    severity: 'high',
    keywords: ['drone'],
    pattern: near('drone(?:ci)?[\\w.-]{0,20}?(?:token|key|secret)', '[a-zA-Z0-9]{32}'),
    minEntropy: 3
  },
  {
    id: 'facebook-app-secret',
    title: 'Facebook / Meta app secret or client token',
    severity: 'high',
    keywords: ['facebook'],
    pattern: near('facebook[\\w.-]{0,20}?(?:secret|token|key)', '[a-f0-9]{32}'),
    minEntropy: 3
  },
  {
    id: 'facebook-app-access-token',
    title: 'Facebook / Meta app access token',
    severity: 'high',
    keywords: ['facebook'],
    // `<app id>|<app secret or signature>`, as Graph API calls take it (`|` may be URL-encoded).
    pattern: token('[0-9]{15,16}(?:\\||%7C)[0-9A-Za-z_-]{27,40}'),
    minEntropy: 3
  },
  {
    id: 'finicity-api-key',
    title: 'Finicity app key or partner secret',
    severity: 'high',
    keywords: ['finicity'],
    pattern: near('finicity[\\w.-]{0,20}?(?:token|key|secret)', '[a-f0-9]{32}|[a-zA-Z0-9]{20}'),
    minEntropy: 3
  },
  {
    id: 'flickr-api-key',
    title: 'Flickr API key or access token',
    severity: 'high',
    keywords: ['flickr'],
    pattern: near('flickr[\\w.-]{0,20}?(?:token|key|secret)', '[a-zA-Z0-9]{32}'),
    minEntropy: 3
  },
  {
    id: 'gitter-access-token',
    title: 'Gitter access token',
    severity: 'high',
    keywords: ['gitter'],
    pattern: near('gitter[\\w.-]{0,20}?(?:token|key|secret)', '[a-zA-Z0-9_-]{40}'),
    minEntropy: 3
  },
  {
    id: 'kraken-api-key',
    title: 'Kraken API private key',
    severity: 'high',
    keywords: ['kraken'],
    pattern: near('kraken[\\w.-]{0,20}?(?:token|key|secret)', '[a-zA-Z0-9/=_+-]{80,90}'),
    minEntropy: 3.5
  },
  {
    id: 'messagebird-api-key',
    title: 'MessageBird (Bird) access key',
    severity: 'high',
    keywords: ['messagebird', 'message_bird', 'message-bird'],
    // The 25-character access key; the client id, a UUID beside it, is not a secret.
    pattern: near('message[_-]?bird[\\w.-]{0,20}?(?:token|key|secret)', '[a-zA-Z0-9]{25}'),
    minEntropy: 3
  },
  {
    id: 'notion-api-token',
    title: 'Notion integration token',
    severity: 'high',
    keywords: ['ntn_'],
    pattern: token('ntn_[0-9]{11}[A-Za-z0-9]{35}'),
    minEntropy: 3.5
  },
  {
    id: 'nytimes-api-key',
    title: 'New York Times API key',
    severity: 'medium',
    keywords: ['nytimes', 'newyorktimes', 'new-york-times'],
    pattern: near(
      '(?:nytimes|new-?york-?times)[\\w.-]{0,20}?(?:token|key|secret)',
      '[a-zA-Z0-9=_-]{32}'
    ),
    minEntropy: 3
  },
  {
    id: 'plaid-access-token',
    title: 'Plaid access token',
    severity: 'high',
    keywords: ['access-sandbox-', 'access-development-', 'access-production-'],
    pattern: token(`access-(?:sandbox|development|production)-${UUID}`)
  },
  {
    id: 'privateai-api-key',
    title: 'Private AI API key',
    severity: 'high',
    keywords: ['privateai', 'private_ai', 'private-ai'],
    pattern: near('private[_-]?ai[\\w.-]{0,20}?(?:token|key|secret)', '[a-zA-Z0-9]{32}'),
    minEntropy: 3
  },
  {
    id: 'rapidapi-key',
    title: 'RapidAPI key',
    severity: 'high',
    keywords: ['rapidapi'],
    pattern: near('rapidapi[\\w.-]{0,20}?(?:token|key|secret)', '[a-zA-Z0-9_-]{50}'),
    minEntropy: 3.5
  },
  {
    id: 'sendbird-api-token',
    title: 'Sendbird API token',
    severity: 'high',
    keywords: ['sendbird'],
    // The 40-hex-digit API token; the application id (a UUID) is public.
    pattern: near('sendbird[\\w.-]{0,20}?(?:token|key|secret)', '[a-f0-9]{40}'),
    minEntropy: 3
  },
  {
    id: 'settlemint-token',
    title: 'SettleMint access token',
    severity: 'high',
    keywords: ['sm_pat_', 'sm_aat_', 'sm_sat_'],
    // Personal, application and service access tokens.
    pattern: token('sm_(?:pat|aat|sat)_[a-zA-Z0-9]{12,64}'),
    minEntropy: 3
  },
  {
    id: 'sonarqube-token',
    title: 'SonarQube / SonarCloud token',
    severity: 'high',
    keywords: ['sonar'],
    // User (`squ_`), project analysis (`sqp_`) and global analysis (`sqa_`) tokens, or the older
    // unprefixed 40 characters, under SONAR_TOKEN or the deprecated SONAR_LOGIN.
    pattern: near('sonar[_.-]?(?:login|token)', '(?:sq[upa]_)?[a-zA-Z0-9=_-]{40}'),
    minEntropy: 3
  },
  {
    id: 'squarespace-api-key',
    title: 'Squarespace API key',
    severity: 'high',
    keywords: ['squarespace'],
    pattern: near('squarespace[\\w.-]{0,20}?(?:token|key|secret)', UUID),
    minEntropy: 3
  },
  {
    id: 'twitter-api-secret',
    title: 'X (Twitter) API key, secret or access token',
    severity: 'high',
    keywords: ['twitter'],
    // API key (25) and secret (50), access token (`<user id>-<random>`) and its secret (45).
    pattern: near(
      'twitter[\\w.-]{0,20}?(?:token|key|secret)',
      '[0-9]{15,25}-[a-zA-Z0-9]{20,40}|[a-zA-Z0-9]{50}|[a-zA-Z0-9]{45}|[a-zA-Z0-9]{25}'
    ),
    minEntropy: 3.5
  },
  {
    id: 'yandex-cloud-credential',
    title: 'Yandex Cloud API key, IAM token or static access key',
    severity: 'high',
    keywords: ['yandex'],
    // API keys start `AQVN`, IAM tokens `t1.`, static (AWS-compatible) access key secrets `YC`.
    pattern: near(
      'yandex[\\w.-]{0,20}?(?:token|key|secret)',
      'AQVN[A-Za-z0-9_-]{35,38}|t1\\.[A-Za-z0-9_-]{1,256}={0,2}\\.[A-Za-z0-9_-]{86}={0,2}|YC[a-zA-Z0-9_-]{38}'
    ),
    minEntropy: 3
  },
  {
    id: 'database-password',
    title: 'Hard-coded database password',
    severity: 'high',
    keywords: ['db_pass', 'dbpass', 'database_pass', 'databasepass'],
    // Scripts, source and notes; configuration files are password-assignment's.
    paths: [
      '**/*.{sh,bash,zsh,ksh,py,rb,pl,pm,js,mjs,cjs,ts,java,kt,groovy,scala,cs,ps1,bat,cmd,sql,txt}',
      '**/{Dockerfile,Containerfile,Jenkinsfile}'
    ],
    // Not a YAML tag (`!vault |`): the value follows on the next lines; not `<a description>`.
    pattern: near('(?:db|database)_?passw(?:or)?d', '(?![!<])[a-zA-Z0-9:;<@=},!$?^]{6,100}'),
    chosen: true
  },

  // Frameworks.
  {
    id: 'symfony-app-secret',
    title: 'Symfony APP_SECRET',
    severity: 'high',
    keywords: ['app_secret'],
    // Generated by the Flex recipe; Symfony's old default `ThisTokenIsNotSoSecretChangeIt` is
    // reported too: it is public, so anyone can sign fragment URLs and remember-me cookies with it.
    pattern:
      /^[ \t]{0,64}(?:export[ \t]{1,16})?APP_SECRET[ \t]{0,16}[=:][ \t]{0,16}["']?(?<secret>[^\s"'#%$][^\s"'#]{7,511})/m,
    minEntropy: 3
  },
  {
    id: 'symfony-parameters-secret',
    title: 'Symfony secret in parameters.yml',
    severity: 'high',
    keywords: ['secret'],
    // Symfony 2/3 `parameters: { secret: … }` (app/config/parameters.yml).
    context: /^parameters:[ \t]{0,16}$/m,
    pattern: /^[ \t]{1,64}secret:[ \t]{1,16}["']?(?<secret>[^\s"'#%$][^\s"'#]{7,511})/m,
    minEntropy: 3
  },
  {
    id: 'symfony-decryption-key',
    title: 'Symfony secrets vault decryption key',
    severity: 'critical',
    keywords: ['return'],
    // `bin/console secrets:generate-keys` writes `return "\x..";` (sodium key, escaped bytes).
    paths: ['**/config/secrets/*/*.decrypt.private.php'],
    pattern: /return[ \t]{0,16}["'](?<secret>(?:\\x[0-9a-fA-F]{2}|[A-Za-z0-9._~-]){32,512})["']/
  },
  {
    id: 'kubernetes-docker-config',
    title: 'Registry credential in a Kubernetes docker-registry Secret',
    severity: 'high',
    keywords: ['.dockerconfigjson', '.dockercfg'],
    // `kubernetes.io/dockerconfigjson` Secrets: the data key holds base64 of a Docker config.json,
    // and base64 of a JSON object (`{"`, `{\n`, `{ `) starts with `ey`, `ew` or `ex`.
    pattern:
      /^[ \t]{0,64}["']?\.docker(?:configjson|cfg)["']?[ \t]{0,16}:[ \t]{0,16}(?:[|>][-+]?[ \t]{0,16}\r?\n[ \t]{1,64})?["']?(?<secret>e[wxy][A-Za-z0-9+/]{6,16384}={0,2})(?![\w+/=-])/m,
    minEntropy: 3
  },

  // Generic credentials.
  {
    id: 'jwt',
    title: 'JSON Web Token',
    severity: 'medium',
    keywords: ['eyj'],
    pattern: token(
      'ey[a-zA-Z0-9_-]{15,8192}\\.ey[a-zA-Z0-9_-]{15,8192}\\.[a-zA-Z0-9_-]{10,8192}={0,2}'
    )
  },
  {
    id: 'jwt-base64',
    title: 'Base64-encoded JSON Web Token',
    severity: 'medium',
    keywords: ['zxlk'],
    // A JWT stored base64-encoded (Kubernetes Secret data, Helm values): `eyJ` encodes to `ZXlK`.
    pattern: token(`(?:${base64JwtPrefixes()})[A-Za-z0-9+/_-]{40,8192}={0,2}`),
    minEntropy: 3
  },
  {
    id: 'database-url',
    title: 'Database URL with a password',
    severity: 'high',
    // The schemes, not `://`: almost every text file holds some URL.
    keywords: [
      'postgres',
      'mysql',
      'mariadb',
      'mongodb',
      'redis',
      'amqp',
      'mssql',
      'sqlserver',
      'oracle',
      'cockroachdb',
      'clickhouse',
      'jdbc:'
    ],
    // From `://`, the scheme checked behind it: a search for the literal is ten times faster than
    // trying the scheme alternatives at every word start.
    pattern:
      /:\/\/(?<=\b(?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|rediss?|amqps?|mssql|sqlserver|oracle|cockroachdb|clickhouse|jdbc:[a-z]{1,32})(?:\+[a-z0-9]{1,32})?:\/\/)[^\s:/@'"]{1,64}:(?<secret>[^\s@/'"]{3,128})@[\w.-]{1,253}/i,
    chosen: true
  },
  {
    id: 'url-credentials',
    title: 'URL with an embedded password',
    severity: 'medium',
    keywords: ['://'],
    // From `://`, the scheme checked behind it (as database-url).
    pattern:
      /:\/\/(?<=\b(?:https?|ftps?|smtps?|ldaps?):\/\/)[^\s:/@'"]{1,64}:(?<secret>[^\s@/'"]{6,128})@[\w.-]{1,253}\.[a-z]{2,63}/i,
    chosen: true,
    minEntropy: 2.5
  },
  {
    id: 'basic-auth-header',
    title: 'HTTP Basic authorization header',
    severity: 'medium',
    keywords: ['basic '],
    pattern:
      /Authorization["']?\s{0,16}[:=]\s{0,16}["']?Basic\s{1,16}(?<secret>[A-Za-z0-9+/]{16,4096}={0,2})/i,
    minEntropy: 3
  },
  {
    id: 'bearer-token',
    title: 'HTTP Bearer authorization header',
    severity: 'medium',
    keywords: ['bearer '],
    // Only `Bearer`: the `Token` scheme's example in Django REST framework's own source
    // (`Authorization: Token 401f…`) is in every image that installs it.
    pattern:
      /Authorization["']?\s{0,16}[:=]\s{0,16}["']?Bearer\s{1,16}(?<secret>[A-Za-z0-9._~+/-]{20,8192}={0,2})/i,
    minEntropy: 3.5
  },
  {
    id: 'curl-credentials',
    title: 'Credentials passed to curl',
    severity: 'medium',
    keywords: ['curl'],
    pattern:
      /\bcurl\b[^\n]{0,200}?\s(?:-u|--user)\s{1,16}['"]?[^\s:'"]{1,256}:(?<secret>[^\s'"@]{6,256})/,
    chosen: true
  },
  {
    id: 'curl-auth-header',
    title: 'API key or token passed to curl in a header',
    severity: 'medium',
    keywords: ['curl'],
    // `-H "X-Api-Key: …"`, `-H "Token: …"`, or `Authorization:` with no scheme before the value.
    pattern:
      /\bcurl\b(?:[^\n\\]|\\[^\n]|\\\r?\n){0,200}?\s(?:-H|--header)(?:=|[ \t]{1,5})(["'])(?:(?:X-(?:[a-z]{1,32}-)?)?(?:Api-?)?(?:Key|Token)|Authorization):[ \t]{0,5}(?<secret>[\w=~@.+/-]{8,1024})\1/i,
    minEntropy: 3
  },
  {
    id: 'php-define-password',
    title: 'Password constant in PHP configuration',
    severity: 'high',
    keywords: ['define('],
    pattern:
      /define\(\s{0,16}['"](?:DB_PASSWORD|[A-Z_]{0,64}(?:PASSWORD|SECRET|AUTH_KEY|SALT))['"]\s{0,16},\s{0,16}['"](?<secret>[^'"]{8,1024})['"]/,
    chosen: true,
    minEntropy: 3
  },
  {
    id: 'password-assignment',
    title: 'Hard-coded password or secret',
    severity: 'medium',
    keywords: [
      'pass',
      'pwd',
      'secret',
      'token',
      'api_key',
      'apikey',
      'api-key',
      'private_key',
      'private-key',
      'privatekey',
      'access_key',
      'access-key',
      'accesskey',
      'auth_key',
      'auth-key',
      'authkey',
      'cred'
    ],
    paths: [
      '**/*.{env,ini,conf,cfg,cnf,properties,yaml,yml,toml,json,xml,config,credentials}',
      '**/.env',
      '**/.env.*',
      '**/etc/**',
      '**/.*rc',
      '**/.*.cnf',
      '**/.s3cfg',
      '**/.boto',
      '**/.aws/credentials',
      '**/*.{go,php,mk}',
      '**/*.{tf,tfvars,hcl}',
      '**/{Makefile,makefile,GNUmakefile}'
    ],
    // The name (not `csrf_token`, `publicToken`, nor one ending in `_id`, `_name`, `_url`, `_file`,
    // `_encryption` (PostgreSQL's `password_encryption = scram-sha-256`) and the like, which hold
    // something about a secret), maybe a Go type (`var password string =
    // …`), then one of: an assignment on the same line (`=`, `:`, `=>`, Go and make `:=`, `::=`,
    // make `?=`, PHP `.=`); a YAML key whose value is alone on the next, more indented line (not
    // another `key:`); or an XML element whose text follows its opening tag, maybe on the next line.
    pattern:
      /(?<!(?:csrf|xsrf|public)[_.-]?)(?:passw(?:or)?d|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|auth[_-]?key|client[_-]?secret|private[_-]?key|credentials?|creds)[\w-]{0,20}(?<![_.-]?(?:ids?|name|url|uri|file|path|length|size|type|version|endpoint|hash|header|mode|format|encryption|algorithm|method|policy|command|prompt|scheme))(?:[ \t]{1,3}(?:string|String|str|\[\]byte))?["']?(?:[ \t]{0,3}(?:=>|::?=|[?.]=|=|:)[ \t]{0,3}["']?|:[ \t]{0,3}\r?\n[ \t]{1,64}(?![^\s:]{1,128}:(?:\s|$))["']?|(?<=<[\w:.-]{1,64})>\s{0,64})(?<secret>[^\s"'`;,<>]{8,128})/i,
    chosen: true,
    minEntropy: 3
  },
  {
    id: 'dotenv-secret',
    title: 'Secret in a .env file',
    severity: 'high',
    keywords: ['pass', 'pwd', 'secret', 'token', 'key', 'auth', 'credential'],
    paths: ['**/.env', '**/.env.*', '**/*.env'],
    pattern:
      /^[ \t]{0,64}(?:export[ \t]{1,16})?[A-Z0-9_]{0,64}?(?:PASSWORD|PASSWD|PASS|PWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|AUTH|CREDENTIALS?)[A-Z0-9_]{0,64}[ \t]{0,16}=[ \t]{0,16}["']?(?<secret>[^\s"'#]{6,4096})/m,
    chosen: true
  },
  {
    id: 'git-credentials',
    title: 'Credential in a git credential store',
    severity: 'critical',
    keywords: ['://'],
    paths: ['**/.git-credentials', '**/.config/git/credentials'],
    pattern: /https?:\/\/[^\s:/@]{1,256}:(?<secret>[^\s@/]{1,1024})@/,
    chosen: true
  },
  {
    id: 'git-config-credentials',
    title: 'Credential in a git remote URL',
    severity: 'high',
    keywords: ['url'],
    paths: ['**/.git/config', '**/.gitconfig'],
    pattern: /url[ \t]{0,16}=[ \t]{0,16}https?:\/\/[^\s:/@]{1,256}:(?<secret>[^\s@/]{1,1024})@/,
    chosen: true
  },
  {
    id: 'netrc-password',
    title: 'Password in .netrc',
    severity: 'high',
    keywords: ['password'],
    paths: ['**/.netrc', '**/_netrc'],
    pattern: /\bpassword\s{1,64}(?<secret>\S{1,1024})/,
    chosen: true
  },
  {
    id: 'pgpass-password',
    title: 'Password in .pgpass',
    severity: 'high',
    keywords: [':'],
    paths: ['**/.pgpass'],
    pattern: /^[^:#\n]{0,255}:[^:\n]{0,255}:[^:\n]{0,255}:[^:\n]{0,255}:(?<secret>[^\n]{1,1024})$/m,
    chosen: true
  },
  {
    id: 'htpasswd-hash',
    title: 'Password hash in an htpasswd file',
    severity: 'high',
    keywords: ['$apr1$', '$2y$', '$2a$', '$2b$', '{sha}', '$5$', '$6$'],
    paths: ['**/.htpasswd', '**/htpasswd', '**/*.htpasswd'],
    pattern:
      /^[^:\s#]{1,256}:(?<secret>\$apr1\$\S{1,256}|\$2[aby]\$\S{1,256}|\{SHA\}\S{1,256}|\$[56]\$\S{1,256})/m
  },
  {
    id: 'kubeconfig-credential',
    title: 'Credential in a kubeconfig',
    severity: 'critical',
    keywords: ['client-key-data', 'token', 'password'],
    context: /^kind:[ \t]{0,16}["']?Config\b/m,
    pattern:
      /^[ \t]{0,64}(?:client-key-data|token|password):[ \t]{0,16}["']?(?<secret>[A-Za-z0-9+/=._~-]{16,16384})/m
  },
  {
    id: 'kubernetes-secret',
    title: 'Kubernetes Secret manifest with data',
    severity: 'high',
    keywords: ['secret'],
    context: /^kind:[ \t]{0,16}["']?[Ss]ecret\b/m,
    // The first key under `data:`, past blank and comment lines; its value maybe a block scalar.
    pattern:
      /^(?:data|stringData):[ \t]{0,16}\r?\n(?:[ \t]{0,64}(?:#[^\r\n]{0,1024})?\r?\n){0,16}[ \t]{1,64}[\w.-]{1,253}:[ \t]{0,16}(?:[|>][-+]?[ \t]{0,16}\r?\n[ \t]{1,64})?["']?(?<secret>[^\s"'#]{10,16384})/m
  }
]
