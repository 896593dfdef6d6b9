import { describe, expect, it } from 'vitest'
import {
  addFound,
  looksLikeAssignedSecret,
  placeholder,
  type SecretKind,
  scrub,
} from '../../src/flywheel/scrub.js'
import { REPO_ROOT } from '../helpers/acp-harness.js'
import { cleanCorpus, plantedCorpus } from '../helpers/secret-corpus.js'

describe('secret scrubber on the labelled corpus', () => {
  it('removes every planted secret of every kind (recall 100%) and says which kind it was', () => {
    const corpus = plantedCorpus()
    const missed: string[] = []
    const planted: Partial<Record<SecretKind, number>> = {}
    const found: Partial<Record<SecretKind, number>> = {}
    for (const doc of corpus) {
      const result = scrub(doc.text, { envFile: doc.envFile ?? false })
      addFound(found, result.found)
      for (const secret of doc.secrets) {
        planted[secret.kind] = (planted[secret.kind] ?? 0) + 1
        // A private key also must not survive line by line.
        const parts =
          secret.kind === 'private-key'
            ? secret.value.split('\n').filter((l) => !l.startsWith('-----'))
            : [secret.value]
        if (parts.some((p) => result.text.includes(p)))
          missed.push(`${doc.name} (${secret.kind}): ${result.text}`)
      }
    }
    const total = Object.values(planted).reduce((a, b) => a + b, 0)
    console.info(
      `scrubber: ${total} secrets planted in ${corpus.length} documents (${Object.keys(planted).length} kinds), ${total - missed.length} found, ${missed.length} missed`,
    )
    expect(missed).toEqual([])
    expect(Object.keys(planted).length).toBeGreaterThanOrEqual(20)
    // Each planted kind was reported under its own name, not only as a generic secret.
    for (const kind of Object.keys(planted) as SecretKind[]) expect(found[kind], kind).toBeGreaterThan(0)
  })

  it('leaves real code nearly untouched: the redactions on the clean corpus are counted and few', () => {
    const { files, sources } = cleanCorpus(REPO_ROOT, 12_000_000)
    expect(files.length).toBeGreaterThan(0)
    const found: Partial<Record<SecretKind, number>> = {}
    const samples: string[] = []
    let bytes = 0
    for (const file of files) {
      bytes += file.text.length
      const result = scrub(file.text)
      addFound(found, result.found)
      if (Object.keys(result.found).some((k) => k !== 'email') && samples.length < 40) {
        const lines = result.text.split('\n').filter((l) => l.includes('[REDACTED:'))
        samples.push(...lines.slice(0, 2).map((l) => `${file.name}: ${l.trim().slice(0, 140)}`))
      }
    }
    const redactions = Object.values(found).reduce((a, b) => a + b, 0)
    console.info(
      `clean corpus: ${files.length} files, ${(bytes / 1e6).toFixed(1)} MB (${sources.join('; ')}); ${redactions} redactions ${JSON.stringify(found)}\n${samples.join('\n')}`,
    )
    // Emails in the stdlib are real addresses (authors, examples) and are meant to go; the rest are false positives.
    const falsePositives = redactions - (found.email ?? 0)
    expect(falsePositives).toBeLessThanOrEqual(Math.ceil(files.length / 50))
  })
})

describe('secret scrubber rules', () => {
  it('types each placeholder and keeps the text around it', () => {
    const token = `ghp_${'a1B2'.repeat(9)}`
    expect(scrub(`git push https://x:${token}@github.com/o/r`).text).toBe(
      `git push https://x:${placeholder('url-password')}@github.com/o/r`,
    )
    expect(scrub(`export GH=${token}`).text).toBe(`export GH=${placeholder('github-token')}`)
    expect(scrub('Authorization: Bearer abcdefgh12345678ijkl').text).toBe(
      `Authorization: Bearer ${placeholder('bearer-token')}`,
    )
  })

  it('replaces the home path with ~ but not a longer name that starts with it', () => {
    const result = scrub('/home/ana/proj/a.py and /home/anakin/x', { home: '/home/ana' })
    expect(result.text).toBe('~/proj/a.py and /home/anakin/x')
    expect(result.found['home-path']).toBe(1)
  })

  it('is idempotent: scrubbed text scrubs to itself', () => {
    for (const doc of plantedCorpus(2, 99)) {
      const once = scrub(doc.text, { envFile: doc.envFile ?? false }).text
      expect(scrub(once, { envFile: doc.envFile ?? false }).text).toBe(once)
    }
  })

  it('gets through long unbroken runs (a base64 blob, a minified line) in one pass, not one per position', () => {
    // Quadratic patterns would need minutes here and fail on the test's deadline.
    const blob = Buffer.from('x'.repeat(192 * 1024)).toString('base64')
    for (const text of [blob, 'a.'.repeat(128 * 1024), `${'k'.repeat(256 * 1024)}@x`])
      expect(scrub(text, { home: '/home/ana' }).text).toBe(text)
  })

  it('tells code from literals under secret-named keys', () => {
    expect(looksLikeAssignedSecret('self.token')).toBe(false)
    expect(looksLikeAssignedSecret('os.environ.get(')).toBe(false)
    expect(looksLikeAssignedSecret('"changeme"')).toBe(false)
    expect(looksLikeAssignedSecret('"$TOKEN"')).toBe(false)
    expect(looksLikeAssignedSecret('"q8Vz!x2Lm#pR7tw"')).toBe(true)
    expect(scrub('password = get_password()\ntoken: str = ""\n').found).toEqual({})
  })
})
