import { describe, expect, it } from 'vitest'

import en from '@/i18n/en'
import zhCN from '@/i18n/zh-CN'

type Tree = { [k: string]: string | Tree }

function flatten(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>()
  for (const [k, v] of Object.entries(tree)) {
    const key = prefix ? `${prefix}.${k}` : k
    if (typeof v === 'string') out.set(key, v)
    else for (const [kk, vv] of flatten(v, key)) out.set(kk, vv)
  }
  return out
}

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()

describe('messages', () => {
  const zh = flatten(zhCN as Tree)
  const eng = flatten(en as Tree)

  it('have every key in both languages', () => {
    expect([...eng.keys()].sort()).toEqual([...zh.keys()].sort())
    expect(zh.size).toBeGreaterThan(200)
  })

  it('are never empty and carry the same placeholders', () => {
    for (const [key, text] of zh) {
      const other = eng.get(key) ?? ''
      expect(text.trim(), key).not.toBe('')
      expect(other.trim(), key).not.toBe('')
      expect(placeholders(other), key).toEqual(placeholders(text))
    }
  })

  it('avoid characters the message compiler treats as syntax', () => {
    for (const [key, text] of [...zh, ...eng]) {
      expect(text, key).not.toMatch(/[@|]/)
    }
  })
})
