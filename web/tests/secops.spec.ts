import { flushPromises, mount } from '@vue/test-utils'
import ElementPlus from 'element-plus'
import { afterEach, describe, expect, it } from 'vitest'

import { changeRows, isApproval, valueText } from '@/approvals'
import { i18n } from '@/i18n'
import {
  bulkMoves,
  cleanMapping,
  fixBadge,
  hostsJson,
  isRequest,
  isSpreadsheet,
  location,
  moveLabel,
  needsReason,
  splitList,
} from '@/secops'
import { session, type User } from '@/session'
import BulkBar from '@/views/secops/BulkBar.vue'
import ImportOutcome from '@/views/secops/ImportOutcome.vue'

import { fetchMock, json, sent } from './setup'

const tr = { t: i18n.global.t as (k: string, n?: Record<string, unknown>) => string, te: (k: string) => i18n.global.te(k), english: false }
const global = { plugins: [ElementPlus, i18n], stubs: { transition: false, 'transition-group': false } }
const NOW = Date.parse('2026-05-01T00:00:00Z')
const at = (minutes: number) => new Date(NOW + minutes * 60_000).toISOString()

afterEach(() => {
  session.user = null
  fetchMock.mockReset()
  document.body.innerHTML = ''
})

describe('a finding’s fix deadline on a list row', () => {
  it('counts down while running, turns amber at risk, red once breached', () => {
    expect(fixBadge({ clock_state: 'running', breached: false, due_at: at(120), risk_at: at(60) }, NOW)).toEqual({ kind: 'running', seconds: 7200 })
    expect(fixBadge({ clock_state: 'running', breached: false, due_at: at(30), risk_at: at(-10) }, NOW).kind).toBe('risk')
    // Past due before the server marked it: amber, never “running”.
    expect(fixBadge({ clock_state: 'running', breached: false, due_at: at(-1), risk_at: null }, NOW).kind).toBe('risk')
    expect(fixBadge({ clock_state: 'breached', breached: true, due_at: at(-90), risk_at: null }, NOW)).toEqual({ kind: 'breached', seconds: -5400 })
  })

  it('says paused, met, or nothing when no deadline was agreed', () => {
    expect(fixBadge({ clock_state: 'paused', breached: false, due_at: null, risk_at: null }, NOW).kind).toBe('paused')
    expect(fixBadge({ clock_state: 'met', breached: false, due_at: at(-5), risk_at: null }, NOW).kind).toBe('met')
    expect(fixBadge({ clock_state: null, breached: false, due_at: null, risk_at: null }, NOW).kind).toBe('none')
  })
})

describe('who may do what with a finding', () => {
  it('makes the vendor’s exceptions requests and the bureau’s decisions', () => {
    expect(isRequest('risk_accepted', 'engineer')).toBe(true)
    expect(isRequest('false_positive', 'vendor_pm')).toBe(true)
    expect(isRequest('pending', 'engineer')).toBe(true)
    expect(isRequest('fixed', 'engineer')).toBe(false)
    expect(isRequest('risk_accepted', 'admin')).toBe(false)
    expect(i18n.global.t(moveLabel('risk_accepted', 'engineer'))).toBe('申请风险接受')
    expect(i18n.global.t(moveLabel('risk_accepted', 'admin'))).toBe('风险接受')
    expect(i18n.global.t(moveLabel('false_positive', 'admin'))).toBe('标记误报')
    expect(i18n.global.t(moveLabel('fixed', 'engineer'))).toBe('已修复')
    expect(i18n.global.t(moveLabel('fixing', 'engineer', 'fixed'))).toBe('重新修复')
    expect(i18n.global.t(moveLabel('fixing', 'engineer', 'open'))).toBe('修复中')
  })

  it('offers verification in bulk to the bureau only, and nothing to readers', () => {
    expect(bulkMoves('admin')).toContain('verified')
    expect(bulkMoves('engineer')).not.toContain('verified')
    expect(bulkMoves('engineer')).toEqual(['confirmed', 'fixing', 'fixed', 'false_positive', 'risk_accepted'])
    expect(bulkMoves('unit_user')).toEqual([])
    expect(bulkMoves('auditor')).toEqual([])
  })

  it('asks a reason where the API does', () => {
    expect(['open', 'confirmed', 'fixing', 'pending', 'fixed', 'verified', 'false_positive', 'risk_accepted'].filter((s) => needsReason(s as never))).toEqual([
      'open',
      'pending',
      'false_positive',
      'risk_accepted',
    ])
  })
})

describe('the ledger’s words', () => {
  it('places a finding by URL, host:port or host', () => {
    expect(location({ host: '10.0.0.1', port: 443, url: null })).toBe('10.0.0.1:443')
    expect(location({ host: 'fe80::1', port: 22, url: null })).toBe('[fe80::1]:22')
    expect(location({ host: '10.0.0.1', port: null, url: 'https://a.gov.cn/login' })).toBe('https://a.gov.cn/login')
    expect(location({ host: null, port: null, url: null })).toBe('')
  })

  it('reads comma lists and spreadsheet names', () => {
    expect(splitList('critical, high,,')).toEqual(['critical', 'high'])
    expect(splitList('')).toEqual([])
    expect(isSpreadsheet('绿盟扫描.XLSX')).toBe(true)
    expect(isSpreadsheet('scan.csv')).toBe(true)
    expect(isSpreadsheet('scan.nessus')).toBe(false)
  })

  it('sends a mapping without its empty columns, and host rows as an object', () => {
    expect(cleanMapping({ title: '漏洞名称', severity: '风险等级', host: '', cve: null, severity_words: { 紧急: 'critical', ' ': 'high' } })).toEqual({
      title: '漏洞名称',
      severity: '风险等级',
      severity_words: { 紧急: 'critical' },
    })
    expect(hostsJson([{ host: ' 10.0.0.0/24 ', system_id: 's1' }, { host: '', system_id: 's2' }, { host: 'a', system_id: '' }])).toBe('{"10.0.0.0/24":"s1"}')
  })
})

describe('a vulnerability request in the approvals inbox', () => {
  const request = {
    id: 'a9',
    kind: 'vulnerability_exception',
    subject_type: 'vulnerability',
    title: '漏洞“OpenSSL”申请风险接受',
    title_en: 'x',
    proposed: {
      to: 'risk_accepted',
      reason: '系统下线前不升级',
      accepted_until: '2026-12-31',
      count: 1,
      findings: [{ id: 'v1', title: 'OpenSSL 心脏出血', severity: 'critical', host: '10.0.0.1', port: 443, status: 'open' }],
    },
    current: { statuses: ['open'] },
    status: 'pending',
    requested_by: 'u-eng',
    requested_by_name: '龚工',
    requester_role: 'engineer',
    requested_at: '2026-05-01T00:00:00Z',
    can_decide: true,
    unit_may_decide: false,
  }

  it('is told from a finding (the 202 answer) and read with the ledger’s words', () => {
    expect(isApproval(request)).toBe(true)
    expect(valueText('to', 'risk_accepted', tr)).toBe('风险接受')
    expect(valueText('to', 'pending', tr)).toBe('挂起')
    expect(valueText('statuses', ['open', 'fixing'], tr)).toBe('待处理、修复中')
    const rows = changeRows(request as never, tr)
    expect(rows.find((r) => r.key === 'findings')?.proposed).toBe('危急 OpenSSL 心脏出血（10.0.0.1:443）')
    expect(rows.find((r) => r.key === 'accepted_until')?.label).toBe('风险接受至')
    expect(rows.find((r) => r.key === 'to')).toMatchObject({ label: '转为状态', proposed: '风险接受', current: '待处理', changed: true })
    expect(rows.find((r) => r.key === 'statuses')).toBeUndefined()
    const mixed = changeRows({ ...request, current: { statuses: ['open', 'fixing', 'open'] } } as never, tr)
    expect(mixed.find((r) => r.key === 'to')?.current).toBe('待处理、修复中')
  })
})

describe('acting on several findings', () => {
  it('files the vendor’s risk acceptance as one request with the reason and the date', async () => {
    session.user = { id: 'u-eng', username: 'gong', role: 'engineer' } as User
    fetchMock.mockResolvedValueOnce(json(200, { done: 2, request_id: 'a1' }))
    const rows = [{ id: 'v1' }, { id: 'v2' }] as never
    const w = mount(BulkBar, { props: { selected: rows, people: [] }, global, attachTo: document.body })
    expect(w.find('[data-testid="bulk-verified"]').exists()).toBe(false)
    await w.find('[data-testid="bulk-risk_accepted"]').trigger('click')
    await flushPromises()
    expect(document.body.textContent).toContain('将提交数据局审批，批准后生效')
    const reason = document.body.querySelector<HTMLTextAreaElement>('textarea[data-testid="move-reason"], [data-testid="move-reason"] textarea')!
    reason.value = '待系统下线'
    reason.dispatchEvent(new Event('input'))
    const until = document.body.querySelector<HTMLInputElement>('[data-testid="move-until"] input')!
    until.value = '2027-01-31'
    until.dispatchEvent(new Event('input'))
    until.dispatchEvent(new Event('change'))
    await flushPromises()
    document.body.querySelector<HTMLButtonElement>('[data-testid="move-confirm"]')!.click()
    await flushPromises()
    const { method, path, body } = await sent()
    expect([method, path]).toEqual(['POST', '/api/v1/vulnerabilities/bulk'])
    expect(body).toMatchObject({ ids: ['v1', 'v2'], action: 'transition', to: 'risk_accepted', reason: '待系统下线', accepted_until: '2027-01-31' })
    expect(w.emitted('done')).toHaveLength(1)
    expect(document.body.textContent).toContain('已提交数据局审批，批准后生效')
  })
})

describe('an import’s preview', () => {
  it('shows each count and the rows it cannot use', async () => {
    const outcome = {
      dry_run: true,
      create: 3,
      update: 1,
      reopen: 0,
      verify: 2,
      duplicates: 1,
      informational: 4,
      errors: 1,
      problems: [{ row: 12, column: null, message: '缺少 severity 属性' }],
      sample: [{ row: 5, action: 'create', system_id: 's1', title: 'OpenSSL 心脏出血', severity: 'critical', host: '10.0.0.1', port: 443, cve: 'CVE-2014-0160' }],
    }
    const w = mount(ImportOutcome, { props: { outcome: outcome as never, systemName: () => '门户网站' }, global, attachTo: document.body })
    await flushPromises()
    await new Promise((r) => setTimeout(r, 50))
    expect(w.get('[data-testid="count-create"]').text()).toContain('3')
    expect(w.get('[data-testid="count-verify"]').text()).toContain('复扫验证')
    expect(w.get('[data-testid="count-informational"]').text()).toContain('4')
    expect(w.get('[data-testid="count-errors"]').classes()).toContain('yw-count-bad')
    expect(w.get('[data-testid="import-problems"]').text()).toContain('缺少 severity 属性')
    expect(w.get('[data-testid="import-sample"]').text()).toContain('门户网站')
  })
})
