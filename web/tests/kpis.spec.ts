import { describe, expect, it } from 'vitest'

import { formatKpi, formatTarget, mergeTargets, periodOf } from '@/views/kpis/kpis'

describe('the indicator page', () => {
  it('periods are whole months, quarters and years of the bureau (UTC+8)', () => {
    // 23:30 on 31 March in UTC is already 1 April in Beijing.
    const at = new Date('2026-03-31T16:30:00Z')
    expect(periodOf('month', at)).toEqual(['2026-04-01', '2026-04-30'])
    expect(periodOf('quarter', at)).toEqual(['2026-04-01', '2026-06-30'])
    expect(periodOf('year', at)).toEqual(['2026-01-01', '2026-12-31'])
    expect(periodOf('month', new Date('2028-02-10T00:00:00Z'))).toEqual(['2028-02-01', '2028-02-29'])
    expect(periodOf('quarter', new Date('2026-11-23T00:00:00Z'))).toEqual(['2026-10-01', '2026-12-31'])
  })

  it('figures in their units', () => {
    expect(formatKpi(0.5, 'rate')).toBe('50.0%')
    expect(formatKpi(12.5, 'minutes')).toBe('12.5 min')
    expect(formatKpi(900, 'minutes')).toBe('15.0 h')
    expect(formatKpi(4, 'stars')).toBe('4.00')
    expect(formatKpi(3, 'count')).toBe('3')
  })

  it('targets read as a comparison in the unit, and a template replaces only its own rows', () => {
    expect(formatTarget({ key: 'response_on_time_rate', op: 'at_least', value: 0.98, per: 'period' }, 'rate')).toBe('≥ 98.0%')
    expect(formatTarget({ key: 'downtime_minutes', op: 'at_most', value: 60, per: 'month' }, 'minutes')).toBe('≤ 60.0 min')
    const mine = [
      { key: 'downtime_per_system_max_minutes', op: 'at_most' as const, value: 90, per: 'month' as const },
      { key: 'handling_rate', op: 'at_least' as const, value: 0.95, per: 'period' as const },
    ]
    const seed = [
      { key: 'downtime_per_system_max_minutes', op: 'at_most' as const, value: 60, per: 'month' as const },
      { key: 'downtime_per_system_max_minutes', op: 'at_most' as const, value: 120, per: 'year' as const },
    ]
    const merged = mergeTargets(mine, seed)
    expect(merged.map((x) => `${x.key}/${x.per}=${x.value}`)).toEqual([
      'downtime_per_system_max_minutes/month=60',
      'handling_rate/period=0.95',
      'downtime_per_system_max_minutes/year=120',
    ])
    expect(mine[0]?.value).toBe(90)
  })
})
