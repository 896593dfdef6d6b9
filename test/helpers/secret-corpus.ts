// A labelled corpus for the secret scrubber: secrets of every kind the scrubber knows, made up in their
// providers' formats by a seeded generator and planted in realistic code, config and log text; and a clean
// corpus of real code found on this machine (this repository's sources and Python fixtures, CPython's stdlib).
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { seededRandom } from '../../src/dataset/random.js'
import type { SecretKind } from '../../src/flywheel/scrub.js'

export interface PlantedSecret {
  kind: SecretKind
  /** The text that must not survive scrubbing. */
  value: string
}

export interface CorpusDocument {
  name: string
  text: string
  /** Scrub it as a .env file. */
  envFile?: boolean
  secrets: PlantedSecret[]
}

/** A deterministic generator, so every run plants the same secrets. */
export const seeded = seededRandom

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
const UPPER_NUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'
const B64 = `${ALNUM}+/`
const URLSAFE = `${ALNUM}_-`
const HEX = '0123456789abcdef'

type Make = (r: () => number) => string
const pick = (r: () => number, alphabet: string, n: number) =>
  Array.from({ length: n }, () => alphabet[Math.floor(r() * alphabet.length)]).join('')

/** How each kind of secret looks, as its provider issues it. */
const MAKERS: Record<Exclude<SecretKind, 'home-path' | 'env-value' | 'secret'>, Make> = {
  'anthropic-key': (r) => `sk-ant-api03-${pick(r, URLSAFE, 93)}AA`,
  'openai-key': (r) =>
    r() < 0.5 ? `sk-proj-${pick(r, URLSAFE, 120)}` : `sk-${pick(r, ALNUM, 20)}T3BlbkFJ${pick(r, ALNUM, 20)}`,
  'github-token': (r) =>
    r() < 0.6
      ? `gh${'pousr'[Math.floor(r() * 5)]}_${pick(r, ALNUM, 36)}`
      : `github_pat_11${pick(r, ALNUM, 20)}_${pick(r, ALNUM, 59)}`,
  'gitlab-token': (r) => `glpat-${pick(r, URLSAFE, 20)}`,
  'slack-token': (r) =>
    `xox${'bpa'[Math.floor(r() * 3)]}-${pick(r, '0123456789', 12)}-${pick(r, '0123456789', 13)}-${pick(r, ALNUM, 24)}`,
  'slack-webhook': (r) =>
    `https://hooks.slack.com/services/T${pick(r, UPPER_NUM, 8)}/B${pick(r, UPPER_NUM, 8)}/${pick(r, ALNUM, 24)}`,
  'aws-access-key-id': (r) => `${r() < 0.5 ? 'AKIA' : 'ASIA'}${pick(r, UPPER_NUM, 16)}`,
  'aws-secret-key': (r) => pick(r, B64, 40),
  'google-api-key': (r) => `AIza${pick(r, URLSAFE, 35)}`,
  'stripe-key': (r) => `${r() < 0.5 ? 'sk' : 'rk'}_live_${pick(r, ALNUM, 24)}`,
  'npm-token': (r) => `npm_${pick(r, ALNUM, 36)}`,
  'huggingface-token': (r) => `hf_${pick(r, ALNUM, 34)}`,
  'pypi-token': (r) => `pypi-AgEIcHlwaS5vcmc${pick(r, URLSAFE, 60)}`,
  'sendgrid-key': (r) => `SG.${pick(r, URLSAFE, 22)}.${pick(r, URLSAFE, 43)}`,
  'digitalocean-token': (r) => `dop_v1_${pick(r, HEX, 64)}`,
  'groq-key': (r) => `gsk_${pick(r, ALNUM, 52)}`,
  jwt: (r) =>
    `${b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${b64url(JSON.stringify({ sub: pick(r, HEX, 12), iat: 1_700_000_000 + Math.floor(r() * 1e6) }))}.${pick(r, URLSAFE, 43)}`,
  'bearer-token': (r) => pick(r, URLSAFE, 40),
  'private-key': (r) => {
    const lines = Array.from({ length: 8 }, () => pick(r, B64, 64))
    const kind = ['RSA ', 'EC ', 'OPENSSH ', ''][Math.floor(r() * 4)]
    return `-----BEGIN ${kind}PRIVATE KEY-----\n${lines.join('\n')}\n${pick(r, B64, 20)}==\n-----END ${kind}PRIVATE KEY-----`
  },
  'url-password': (r) => `${pick(r, ALNUM, 14)}${'!*~'[Math.floor(r() * 3)]}${pick(r, ALNUM, 4)}`,
  email: (r) =>
    `${pick(r, 'abcdefghijklmnopqrstuvwxyz', 6)}.${pick(r, 'abcdefghijklmnopqrstuvwxyz', 8)}@${pick(r, 'abcdefghijklmnopqrstuvwxyz', 7)}.io`,
}

function b64url(text: string): string {
  return Buffer.from(text).toString('base64url')
}

/** Where a secret is found in real text: one template per setting, `$S` standing for the secret. */
const SETTINGS: Record<string, (s: string) => string> = {
  python: (s) =>
    `import os\nimport requests\n\nCLIENT_TOKEN = "${s}"\n\n\ndef fetch(url: str) -> dict:\n    return requests.get(url, timeout=5).json()\n`,
  json: (s) =>
    `{\n  "name": "billing",\n  "credentials": { "key": "${s}", "region": "eu-west-1" },\n  "retries": 3\n}\n`,
  yaml: (s) => `service:\n  image: app:1.4\n  environment:\n    - LOG_LEVEL=info\n  key_value: ${s}\n`,
  log: (s) =>
    `2024-05-01T10:00:02Z INFO boot ok\n2024-05-01T10:00:03Z DEBUG using ${s} for upstream\n2024-05-01T10:00:04Z INFO ready\n`,
  shell: (s) => `$ curl -s https://api.example.com/v1/items -d '{"q": 1}' -u ${s}\n{"items": []}\n`,
}

/** Each kind in the settings that fit it; a value a setting would not show alone gets its own template. */
function documentsFor(kind: keyof typeof MAKERS, r: () => number, n: number): CorpusDocument[] {
  const docs: CorpusDocument[] = []
  for (let i = 0; i < n; i++) {
    const s = MAKERS[kind](r)
    const name = `${kind}-${i}`
    const one = (text: string): CorpusDocument => ({ name, text, secrets: [{ kind, value: s }] })
    switch (kind) {
      case 'aws-secret-key':
        docs.push(
          one(
            [
              `[default]\naws_access_key_id = AKIA${pick(r, UPPER_NUM, 16)}\naws_secret_access_key = ${s}\nregion = us-east-1\n`,
              `export AWS_SECRET_ACCESS_KEY="${s}"\n`,
              `boto3.client("s3", aws_secret_access_key="${s}")\n`,
            ][i % 3] as string,
          ),
        )
        break
      case 'bearer-token':
        docs.push(
          one(
            [
              `> GET /v2/repos HTTP/1.1\n> Host: api.internal\n> Authorization: Bearer ${s}\n> Accept: */*\n`,
              `headers = {"Authorization": "Bearer ${s}", "Content-Type": "application/json"}\n`,
              `fetch(url, { headers: { Authorization: 'Bearer ${s}' } })\n`,
            ][i % 3] as string,
          ),
        )
        break
      case 'private-key':
        docs.push(
          i % 2
            ? one(`# deploy key, do not commit\n${s}\n`)
            : // As a JSON-escaped string inside a tool result: one line with \n escapes.
              one(`{"path": "id_rsa", "content": ${JSON.stringify(s)}}`),
        )
        break
      case 'url-password': {
        const scheme = ['postgres', 'redis', 'https', 'mongodb+srv', 'amqp'][i % 5]
        docs.push(one(`DATABASE_URL_PRIMARY = "${scheme}://admin:${s}@db.internal:5432/app"\nPOOL = 10\n`))
        break
      }
      case 'email':
        docs.push(one(`# Maintainer: Ana Example <${s}>\n__author__ = "${s}"\n`))
        break
      default: {
        const settings = Object.values(SETTINGS)
        docs.push(one((settings[i % settings.length] as (s: string) => string)(s)))
      }
    }
  }
  return docs
}

/** Literals under secret-named keys, which only their entropy gives away. */
function assignedSecrets(r: () => number, n: number): CorpusDocument[] {
  const keys = ['password', 'db_password', 'api_secret', 'SESSION_TOKEN', 'clientSecret', 'private_key_pass']
  return Array.from({ length: n }, (_, i) => {
    const s = `${pick(r, ALNUM, 10)}${'#%&!'[i % 4]}${pick(r, ALNUM, 8)}`
    const key = keys[i % keys.length] as string
    const text = [
      `${key} = "${s}"\n`,
      `settings:\n  ${key}: ${s}\n  timeout: 30\n`,
      `{"${key}": "${s}", "user": "svc"}\n`,
      `const config = { ${key}: '${s}', retries: 2 }\n`,
    ][i % 4] as string
    return { name: `secret-${i}`, text, secrets: [{ kind: 'secret', value: s }] }
  })
}

/** .env files as read_file returns them: every value goes, whatever it looks like. */
function envFiles(r: () => number, n: number): CorpusDocument[] {
  return Array.from({ length: n }, (_, i) => {
    const values = [pick(r, ALNUM, 12), `${pick(r, 'abcdefghij', 6)}123`, pick(r, HEX, 32)]
    const text = `# local settings\nAPP_ENV=development\nDB_PASS=${values[0]}\nexport MAIL_PASSWORD="${values[1]}"\nSIGNING_SALT='${values[2]}'\n`
    return {
      name: `env-${i}`,
      text,
      envFile: true,
      secrets: values.map((value) => ({ kind: 'env-value' as const, value })),
    }
  })
}

/** The whole labelled corpus: `perKind` documents for every kind. */
export function plantedCorpus(perKind = 6, seed = 13): CorpusDocument[] {
  const r = seeded(seed)
  return [
    ...(Object.keys(MAKERS) as (keyof typeof MAKERS)[]).flatMap((kind) => documentsFor(kind, r, perKind)),
    ...assignedSecrets(r, perKind * 2),
    ...envFiles(r, perKind),
  ]
}

export interface CleanFile {
  name: string
  text: string
}

/** Real code on this machine that holds no secrets, up to `maxBytes`; where each part came from, or why not. */
export function cleanCorpus(
  repoRoot: string,
  maxBytes = 4_000_000,
): { files: CleanFile[]; sources: string[] } {
  const files: CleanFile[] = []
  const sources: string[] = []
  let bytes = 0
  const take = (label: string, root: string, ext: RegExp, skip: RegExp = /$^/) => {
    let n = 0
    for (const path of walk(root)) {
      if (bytes >= maxBytes) break
      if (!ext.test(path) || skip.test(path)) continue
      const text = readFileSync(path, 'utf8')
      files.push({ name: path, text })
      bytes += text.length
      n++
    }
    sources.push(n ? `${label}: ${n} files` : `${label}: none found at ${root}`)
  }
  // The scrubber's own rules and this corpus name secret formats; they are not clean text.
  take('punie src/*.ts', join(repoRoot, 'src'), /\.ts$/, /flywheel\/scrub\.ts$/)
  take('punie test fixtures (*.py)', join(repoRoot, 'test', 'fixtures'), /\.py$/)
  const stdlib = readdirSafe('/usr/lib')
    .filter((d) => /^python3\.\d+$/.test(d))
    .sort()
  if (stdlib.length)
    take(
      `CPython stdlib /usr/lib/${stdlib[0]}`,
      join('/usr/lib', stdlib[0] as string),
      /\.py$/,
      /\/(test|tests|idlelib)\//,
    )
  else sources.push('CPython stdlib: not found under /usr/lib/python3.*')
  return { files, sources }
}

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir)
  } catch {
    return []
  }
}

function* walk(dir: string): Generator<string> {
  for (const name of readdirSafe(dir).sort()) {
    if (name === 'node_modules' || name.startsWith('.') || name === '__pycache__') continue
    const path = join(dir, name)
    let stat: ReturnType<typeof statSync>
    try {
      stat = statSync(path)
    } catch {
      continue
    }
    if (stat.isDirectory()) yield* walk(path)
    else if (stat.isFile() && stat.size < 500_000) yield path
  }
}
