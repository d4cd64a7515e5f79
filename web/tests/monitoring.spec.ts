import { describe, expect, it } from 'vitest'

import { availabilityText, daysLeft, humanSeconds, toExpect, toExpectModel } from '@/monitoring'

describe('the monitor form', () => {
  it('sends only the expectations of the chosen kind, status codes as numbers or ranges', () => {
    const m = { ...toExpectModel(undefined), status: '200, 300-399，418', keyword: ' 安阳 ', answer: '10.0.0.1' }
    expect(toExpect('http', m)).toEqual({ method: 'GET', status: [200, '300-399', 418], keyword: '安阳', regex: undefined, max_latency_ms: undefined })
    expect(toExpect('dns', m)).toEqual({ record_type: 'A', answer: '10.0.0.1', server: undefined })
    expect(toExpect('tls', m)).toEqual({ min_days: 14, issuer: undefined })
    expect(toExpect('tcp', m)).toEqual({})
  })

  it('reads back what the API stored', () => {
    const m = toExpectModel({ status: [{ from: 200, to: 200 }, { from: 500, to: 599 }], method: 'HEAD' })
    expect(m.method).toBe('HEAD')
    expect(m.status).toBe('200, 500-599')
  })
})

describe('figures', () => {
  it('formats durations, availability and days left', () => {
    expect(humanSeconds(3900, false)).toBe('1 小时 5 分')
    expect(humanSeconds(-90, true)).toBe('-1 min 30 s')
    expect(availabilityText(0.99912)).toBe('99.912%')
    expect(availabilityText(null)).toBe('—')
    expect(daysLeft('2026-12-01T00:00:00Z', Date.parse('2026-11-22T12:00:00Z'))).toBe(8)
  })
})
