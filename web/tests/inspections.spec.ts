import { describe, expect, it } from 'vitest'

import { emptyRecurrence, expectation, FREQUENCIES, fromRecurrence, outOfRange, percent, toRecurrence } from '@/inspections'

describe('the recurrence builder', () => {
  it('writes the API shape for every frequency the seeds name', () => {
    const m = { ...emptyRecurrence(), weekdays: ['mon', 'thu'], day: 5, month: 2, times: 3 }
    const shapes = FREQUENCIES.map((frequency) => toRecurrence({ ...m, frequency }))
    expect(shapes).toEqual([
      { every: 'working_day' },
      { every: 'day' },
      { every: 'week', weekdays: ['mon', 'thu'] },
      { every: 'month', day: 5 },
      { every: 'quarter', month: 2, day: 5 },
      { times_per_year: 3 },
      { times_in_period: 3 },
    ])
  })

  it('reads back what it wrote, and falls back on something it does not know', () => {
    for (const frequency of FREQUENCIES) {
      const m = { ...emptyRecurrence(), frequency, weekdays: ['tue'], day: 15, month: 3, times: 4 }
      expect(toRecurrence(fromRecurrence(toRecurrence(m)))).toEqual(toRecurrence(m))
    }
    expect(fromRecurrence({ every: 'fortnight' }).frequency).toBe('working_day')
    expect(fromRecurrence(null).frequency).toBe('working_day')
  })
})

describe('item hints', () => {
  const item = { id: 'disk', name: '磁盘使用率', result_type: 'number' as const, unit: '%', max: 80, min: null }
  it('shows the range and flags numbers outside it', () => {
    expect(expectation(item)).toBe('≤ 80 %')
    expect(expectation({ ...item, min: 18, max: 28, unit: '℃' })).toBe('18–28 ℃')
    expect(outOfRange(item, 91)).toBe(true)
    expect(outOfRange(item, 80)).toBe(false)
    expect(outOfRange(item, null)).toBe(false)
    expect(percent(0.98765)).toBe('98.8%')
    expect(percent(null)).toBe('—')
  })
})
