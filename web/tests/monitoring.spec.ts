import { describe, expect, it } from 'vitest'

import {
  availabilityText,
  daysLeft,
  humanSeconds,
  INTEGRATION_KINDS,
  maintenanceText,
  SECRET_MASK,
  senderConfig,
  toExpect,
  toExpectModel,
} from '@/monitoring'

describe('the monitor form', () => {
  it('sends only the expectations of the chosen kind, status codes as numbers or ranges', () => {
    const m = { ...toExpectModel(undefined), status: '200, 300-399，418', keyword: ' 安阳 ', answer: '10.0.0.1' }
    expect(toExpect('http', m)).toEqual({ method: 'GET', status: [200, '300-399', 418], keyword: '安阳', regex: undefined, max_latency_ms: undefined })
    expect(toExpect('dns', m)).toEqual({ record_type: 'A', answer: '10.0.0.1', server: undefined })
    expect(toExpect('tls', m)).toEqual({ min_days: 14, issuer: undefined })
    expect(toExpect('tcp', m)).toEqual({})
  })

  it('keeps a stored header by sending its mask back, and drops headers without a name', () => {
    const m = toExpectModel({ headers: { Authorization: SECRET_MASK } })
    expect(m.headers).toEqual([{ name: 'Authorization', value: SECRET_MASK }])
    m.headers.push({ name: ' X-Probe ', value: 'yunwei' }, { name: '', value: 'lost' })
    expect(toExpect('http', m).headers).toEqual({ Authorization: SECRET_MASK, 'X-Probe': 'yunwei' })
    expect(toExpect('http', toExpectModel(undefined)).headers).toBeUndefined()
    expect(toExpect('dns', m)).not.toHaveProperty('headers')
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

describe('maintenance windows', () => {
  it('reads a weekly window in its zone and a one-off in Beijing time', () => {
    const weekly = { repeat: 'weekly' as const, weekdays: [7, 3], at: '02:00:00', minutes: 120, time_zone: 'Asia/Shanghai' }
    expect(maintenanceText(weekly, false)).toBe('每周三、日 02:00 起 120 分钟（Asia/Shanghai）')
    expect(maintenanceText(weekly, true)).toBe('Wed, Sun from 02:00 for 120 min (Asia/Shanghai)')
    const once = { repeat: 'once' as const, start: '2026-11-21T18:00:00Z', end: '2026-11-21T20:30:00Z' }
    expect(maintenanceText(once, false)).toBe('2026-11-22 02:00 – 2026-11-22 04:30')
  })
})

describe('integration accounts', () => {
  it('gives each sender the address and the token it needs', () => {
    const am = senderConfig('alertmanager', 'https://yw.example.gov.cn', 'tok')
    expect(am).toContain('url: https://yw.example.gov.cn/api/v1/intake/alertmanager')
    expect(am).toContain('credentials: tok')
    expect(senderConfig('webhook', 'http://10.0.0.2:8080', 'tok')).toContain("Authorization: Bearer tok")
    const scrape = senderConfig('metrics', 'http://10.0.0.2:8080', 'tok')
    expect(scrape).toContain("targets: ['10.0.0.2:8080']")
    expect(scrape).toContain('scheme: http\n')
  })

  it('shows a backup tool the run it posts, naming its policy', () => {
    const backup = senderConfig('backup', 'https://yw.example.gov.cn', 'tok')
    expect(backup).toContain('curl -X POST -H "Authorization: Bearer tok"')
    expect(backup).toContain('"policy_id":"<策略 ID>"')
    expect(backup).toContain('"result":"success"')
    expect(backup).toContain('https://yw.example.gov.cn/api/v1/intake/backup-runs')
    expect(senderConfig('backup', 'http://x', 'tok', '<policy ID>')).toContain('"policy_id":"<policy ID>"')
  })

  it('offers every kind the API knows', () => {
    expect(INTEGRATION_KINDS).toEqual(['alertmanager', 'webhook', 'metrics', 'backup'])
  })
})
