import { describe, expect, it } from 'vitest'

import { diff } from '@/audit'
import { bureauDate, daysUntil, fenToYuan, formatInstant, yuanToFen } from '@/format'

describe('money', () => {
  it('shows fen as yuan with separators', () => {
    expect(fenToYuan(286_000_000)).toBe('2,860,000.00')
    expect(fenToYuan(5)).toBe('0.05')
    expect(fenToYuan(null)).toBe('')
  })

  it('turns typed yuan into whole fen without floating-point noise', () => {
    expect(yuanToFen(1234.56)).toBe(123456)
    expect(yuanToFen(0.1 + 0.2)).toBe(30)
    expect(yuanToFen(19.99)).toBe(1999)
    expect(yuanToFen(null)).toBeNull()
    expect(yuanToFen(Number.NaN)).toBeNull()
  })
})

describe('time', () => {
  it('shows instants in Beijing time', () => {
    expect(formatInstant('2026-11-21T16:30:00Z')).toBe('2026-11-22 00:30')
    expect(formatInstant('2026-11-21T16:30:05.123456Z', true)).toBe('2026-11-22 00:30:05')
    expect(formatInstant('not a time')).toBe('not a time')
    expect(formatInstant(null)).toBe('')
  })

  it("counts days from the bureau's today", () => {
    const now = new Date('2026-11-21T17:00:00Z') // already 22 November in Beijing
    expect(bureauDate(0, now)).toBe('2026-11-22')
    expect(bureauDate(-1, now)).toBe('2026-11-21')
    expect(daysUntil('2026-12-22', now)).toBe(30)
    expect(daysUntil('2026-11-20', now)).toBe(-2)
    expect(daysUntil(null, now)).toBeNull()
  })
})

describe('audit diff', () => {
  it('lists changed fields first', () => {
    const lines = diff({ name: '甲', phone: '1', tags: [1] }, { name: '乙', phone: '1', address: 'x', tags: [1] })
    expect(lines.map((l) => [l.field, l.changed])).toEqual([
      ['address', true],
      ['name', true],
      ['phone', false],
      ['tags', false],
    ])
    expect(lines[1]).toMatchObject({ before: '甲', after: '乙' })
    expect(diff(null, { a: 1 })).toEqual([{ field: 'a', before: '', after: '1', changed: true }])
  })
})
