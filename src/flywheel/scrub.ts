// Secret scrubbing: every string of a captured example passes through here before it leaves the store. Each
// finding becomes a typed placeholder (`[REDACTED:github-token]`), the user's home path becomes `~`. Pure:
// the rules are data, the home path and whether the text is a .env file come in as options.

export type SecretKind =
  | 'private-key'
  | 'url-password'
  | 'bearer-token'
  | 'jwt'
  | 'anthropic-key'
  | 'openai-key'
  | 'github-token'
  | 'gitlab-token'
  | 'slack-token'
  | 'slack-webhook'
  | 'aws-access-key-id'
  | 'aws-secret-key'
  | 'google-api-key'
  | 'stripe-key'
  | 'npm-token'
  | 'huggingface-token'
  | 'pypi-token'
  | 'sendgrid-key'
  | 'digitalocean-token'
  | 'groq-key'
  | 'env-value'
  | 'secret'
  | 'email'
  | 'home-path'

export interface ScrubOptions {
  /** The user's home directory; occurrences become `~`. */
  home?: string
  /** The text is a .env file (as read_file returned it): every KEY=value line loses its value. */
  envFile?: boolean
}

export interface ScrubResult {
  text: string
  /** How many of each kind were replaced. */
  found: Partial<Record<SecretKind, number>>
}

export const placeholder = (kind: SecretKind) => `[REDACTED:${kind}]`

/** The minimum Shannon entropy (bits per character) of a literal assigned to a secret-named key. */
export const ENTROPY_THRESHOLD = 3.0
const MIN_ASSIGNED_SECRET = 8

interface Rule {
  kind: SecretKind
  pattern: RegExp
  /** The capture group that is the secret (default: the whole match); the rest of the match is kept. */
  group?: number
  /** A last check on the candidate secret, as it stands in the text (quotes included). */
  accept?: (secret: string) => boolean
}

// Prefixes of tokens whose providers publish their format. The order matters where one prefix contains
// another (sk-ant- before sk-).
const TOKEN_RULES: readonly Rule[] = [
  { kind: 'anthropic-key', pattern: /\bsk-ant-[A-Za-z0-9_-]{20,}/g },
  { kind: 'openai-key', pattern: /\bsk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{20,}/g },
  { kind: 'openai-key', pattern: /\bsk-[A-Za-z0-9]{32,}\b/g },
  { kind: 'github-token', pattern: /\bgh[pousr]_[A-Za-z0-9]{36,}\b/g },
  { kind: 'github-token', pattern: /\bgithub_pat_[A-Za-z0-9_]{22,}/g },
  { kind: 'gitlab-token', pattern: /\bglpat-[A-Za-z0-9_-]{20,}/g },
  { kind: 'slack-webhook', pattern: /https:\/\/hooks\.slack\.com\/services\/[A-Za-z0-9/_-]{20,}/g },
  { kind: 'slack-token', pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}/g },
  { kind: 'aws-access-key-id', pattern: /\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b/g },
  { kind: 'google-api-key', pattern: /\bAIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])/g },
  { kind: 'stripe-key', pattern: /\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}\b/g },
  { kind: 'npm-token', pattern: /\bnpm_[A-Za-z0-9]{36}\b/g },
  { kind: 'huggingface-token', pattern: /\bhf_[A-Za-z0-9]{30,}\b/g },
  { kind: 'pypi-token', pattern: /\bpypi-AgE[A-Za-z0-9_-]{50,}/g },
  { kind: 'sendgrid-key', pattern: /\bSG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}/g },
  { kind: 'digitalocean-token', pattern: /\bdo[por]_v1_[a-f0-9]{64}\b/g },
  { kind: 'groq-key', pattern: /\bgsk_[A-Za-z0-9]{40,}\b/g },
]

// Each pattern that opens with a repeated class starts only where a run of that class starts (the lookbehind):
// tried at every position inside a long run (a base64 blob), it would take time quadratic in the run.
const SECRET_NAME =
  '(?<![A-Za-z0-9_.-])(?:[A-Za-z0-9_.-]*(?:passw(?:or)?d|passwd|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|auth[_-]?key|credentials?|private[_-]?key|client[_-]?secret|signing[_-]?key|session[_-]?key)[A-Za-z0-9_.-]*)'

const RULES: readonly Rule[] = [
  // PEM blocks, also when JSON-escaped on one line (\n) or cut short before their END line.
  {
    kind: 'private-key',
    pattern:
      /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----(?:[\s\S]*?-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|(?:[A-Za-z0-9+/=\s]|\\[nr])*)/g,
  },
  {
    kind: 'url-password',
    pattern: /(?<![a-z0-9+.-])([a-z][a-z0-9+.-]*:\/\/[^\s:/@"'<>]+:)([^\s@/"'<>]+)(?=@[^\s@/"'<>]+)/gi,
    group: 2,
  },
  {
    kind: 'bearer-token',
    pattern:
      /\b((?:Authorization|Proxy-Authorization)["']?\s*[:=]\s*["']?(?:Bearer|Basic|Token)\s+)([A-Za-z0-9._~+/=-]{8,})/gi,
    group: 2,
  },
  { kind: 'bearer-token', pattern: /\b(Bearer\s+)([A-Za-z0-9._~+/-]{20,}=*)/g, group: 2 },
  { kind: 'jwt', pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g },
  ...TOKEN_RULES,
  {
    kind: 'aws-secret-key',
    pattern:
      /\b((?:aws)?_?secret_?(?:access)?_?key(?:_id)?["']?\s*[:=]\s*["']?)([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])/gi,
    group: 2,
  },
  // A literal given to a secret-named key: `password = "…"`, `token: …`, `"apiKey": "…"`, `SECRET=…`.
  {
    kind: 'secret',
    pattern: new RegExp(
      `(${SECRET_NAME}["']?\\s*(?::=|=|:)\\s*)("[^"\\n]*"|'[^'\\n]*'|[^\\s"',;)}\\]]+)`,
      'gi',
    ),
    group: 2,
    accept: looksLikeAssignedSecret,
  },
  {
    kind: 'email',
    pattern: /(?<![A-Za-z0-9._%+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,24}\b/g,
    accept: (s) => !/^(?:git|noreply|no-reply)@/i.test(s) && !/@example\.(?:com|org|net)$/i.test(s),
  },
]

export function scrub(text: string, options: ScrubOptions = {}): ScrubResult {
  const found: Partial<Record<SecretKind, number>> = {}
  const count = (kind: SecretKind) => {
    found[kind] = (found[kind] ?? 0) + 1
  }
  let out = text
  if (options.envFile) out = scrubEnvFile(out, count)
  for (const rule of RULES) out = applyRule(out, rule, count)
  if (options.home && options.home.length > 1) out = scrubHome(out, options.home, count)
  return { text: out, found }
}

function applyRule(text: string, rule: Rule, count: (kind: SecretKind) => void): string {
  return text.replace(rule.pattern, (match: string, ...groups: unknown[]) => {
    const captures = groups.slice(0, -2).filter((g) => typeof g === 'string' || g === undefined) as (
      | string
      | undefined
    )[]
    const index = rule.group ?? 0
    const secret = index === 0 ? match : captures[index - 1]
    if (!secret || unquote(secret).startsWith('[REDACTED:')) return match
    if (rule.accept && !rule.accept(secret)) return match
    count(rule.kind)
    if (index === 0) return placeholder(rule.kind)
    const before = captures.slice(0, index - 1).join('')
    const quoted = /^["']/.test(secret) ? secret[0] : ''
    return `${before}${quoted}${placeholder(rule.kind)}${quoted}${match.slice(before.length + secret.length)}`
  })
}

// KEY=value, export KEY=value, KEY="value"; comments and blank lines stay.
const ENV_LINE = /^(\s*(?:export\s+)?[A-Za-z_][A-Za-z0-9_.-]*\s*=\s*)(.*)$/gm

function scrubEnvFile(text: string, count: (kind: SecretKind) => void): string {
  return text.replace(ENV_LINE, (line, head: string, value: string) => {
    const bare = unquote(value.trim())
    if (!bare || bare.startsWith('[REDACTED:')) return line
    count('env-value')
    return `${head}${placeholder('env-value')}`
  })
}

function scrubHome(text: string, home: string, count: (kind: SecretKind) => void): string {
  const trimmed = home.replace(/[/\\]+$/, '')
  const pattern = new RegExp(`${escapeRegExp(trimmed)}(?=[/\\\\"'\\s:;,)\\]}]|$)`, 'g')
  return text.replace(pattern, () => {
    count('home-path')
    return '~'
  })
}

/**
 * Whether a value assigned to a secret-named key is a literal secret rather than code (`self.token`,
 * `os.environ["TOKEN"]`, `get_password()`), a placeholder (`changeme`, `<your-key>`, `${TOKEN}`) or a type.
 */
export function looksLikeAssignedSecret(raw: string): boolean {
  const quoted = /^["']/.test(raw)
  const value = unquote(raw)
  // Unquoted, a call, subscript or literal structure is code, not a secret.
  if (!quoted && /[([{<]/.test(value)) return false
  // Words and constant names (`bare-quoted-string`, `NOT_SET`) are not secrets; a secret mixes in digits or symbols.
  if (/^[a-z_-]+$/.test(value) || /^[A-Z_]+$/.test(value)) return false
  if (value.length < MIN_ASSIGNED_SECRET || value.length > 512) return false
  if (/^[$%{<]|\$\{|\{\{|^\*+$|^x+$/i.test(value)) return false
  // Code: identifiers, attribute access, calls, subscripts, type names.
  if (/^[A-Za-z_][\w.]*(?:\(.*\)|\[.*\])?$/.test(value) && !/\d/.test(value)) return false
  if (/^(?:none|null|true|false|undefined|string|str|bytes|optional\[.*\])$/i.test(value)) return false
  if (/\s/.test(value)) return false
  return shannonEntropy(value) >= ENTROPY_THRESHOLD
}

export function shannonEntropy(text: string): number {
  if (!text) return 0
  const counts = new Map<string, number>()
  for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1)
  let bits = 0
  const n = [...text].length
  for (const c of counts.values()) {
    const p = c / n
    bits -= p * Math.log2(p)
  }
  return bits
}

function unquote(value: string): string {
  const m = /^(["'])([\s\S]*)\1$/.exec(value)
  return m ? (m[2] ?? '') : value
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** Adds one scrub's counts into a running total. */
export function addFound(total: Partial<Record<SecretKind, number>>, found: ScrubResult['found']): void {
  for (const [kind, n] of Object.entries(found) as [SecretKind, number][])
    total[kind] = (total[kind] ?? 0) + n
}
