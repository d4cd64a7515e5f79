import { describe, expect, it } from 'vitest'

import { lastPeriodStart, reportStatusType } from '@/reports'

describe('lastPeriodStart', () => {
  // Thursday 3 December 2026, 10:00 in Beijing.
  const at = new Date('2026-12-03T02:00:00Z')
  it('takes the last whole period', () => {
    expect(lastPeriodStart('week', at)).toBe('2026-11-23')
    expect(lastPeriodStart('month', at)).toBe('2026-11-01')
    expect(lastPeriodStart('quarter', at)).toBe('2026-07-01')
    expect(lastPeriodStart('half_year', at)).toBe('2026-01-01')
    expect(lastPeriodStart('year', at)).toBe('2025-01-01')
  })
  it('crosses the year', () => {
    const jan = new Date('2027-01-05T02:00:00Z')
    expect(lastPeriodStart('month', jan)).toBe('2026-12-01')
    expect(lastPeriodStart('quarter', jan)).toBe('2026-10-01')
    expect(lastPeriodStart('half_year', jan)).toBe('2026-07-01')
  })
  it('reads the bureau day, not the UTC one', () => {
    // 1 December 00:30 in Beijing is still 30 November in UTC.
    expect(lastPeriodStart('month', new Date('2026-11-30T16:30:00Z'))).toBe('2026-11-01')
  })
  it('colours statuses', () => {
    expect(reportStatusType('issued')).toBe('success')
    expect(reportStatusType('returned')).toBe('danger')
  })
})
