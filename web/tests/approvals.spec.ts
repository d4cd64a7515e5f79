import { flushPromises, mount } from '@vue/test-utils'
import ElementPlus from 'element-plus'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

import {
  type Approval,
  announce,
  asks,
  changeRows,
  decides,
  inbox,
  isApproval,
  mayWithdraw,
  recurrenceText,
  refreshInbox,
  valueText,
} from '@/approvals'
import { i18n } from '@/i18n'
import { session, type User } from '@/session'
import ApprovalFiles from '@/views/approvals/ApprovalFiles.vue'
import DecisionDialog from '@/views/approvals/DecisionDialog.vue'
import { addApprovalFiles } from '@/views/approvals/files'
import MaintenanceForm from '@/views/monitoring/MaintenanceForm.vue'

import { fetchMock, json, sent } from './setup'

const tr = { t: i18n.global.t as (k: string, n?: Record<string, unknown>) => string, te: (k: string) => i18n.global.te(k), english: false }

function approval(over: Partial<Approval> = {}): Approval {
  return {
    id: 'a1',
    kind: 'maintenance_window',
    subject_type: 'maintenance_window',
    title: '审批系统：季度升级',
    proposed: {},
    current: {},
    status: 'pending',
    requested_by: 'u-pm',
    requested_by_name: '沈经理',
    requester_role: 'vendor_pm',
    requested_at: '2026-12-01T22:00:00Z',
    unit_may_decide: false,
    can_decide: false,
    ...over,
  } as Approval
}

beforeEach(() => {
  fetchMock.mockReset()
  document.body.innerHTML = ''
})

afterEach(() => {
  session.user = null
})

describe('telling a request from a record', () => {
  it('knows an approval by its shape, whatever else has a status', () => {
    expect(isApproval(approval())).toBe(true)
    // A ticket is `pending` too, and a monitor has a `kind`: neither is a request.
    expect(isApproval({ id: 't1', status: 'pending', type: 'incident', number: 'YW1' })).toBe(false)
    expect(isApproval({ id: 'm1', kind: 'http', active: true, restricted: true })).toBe(false)
    expect(isApproval({ ...approval(), kind: 'http' })).toBe(false)
    for (const v of [null, undefined, 'a1', [approval()]]) expect(isApproval(v)).toBe(false)
  })

  it('says the change was filed, not saved, and narrows the answer', () => {
    const answer: { id: string; name: string } | Approval = approval()
    expect(announce(answer, '已保存')).toBe(false)
    expect(document.body.textContent).toContain('已提交数据局审批，批准后生效')
    expect(document.body.textContent).not.toContain('已保存')
    const saved: { id: string; name: string } | Approval = { id: 'w1', name: '例行维护' }
    expect(announce(saved, '已保存')).toBe(true)
    if (announce(saved, '已保存')) expect(saved.name).toBe('例行维护')
  })
})

describe('who does what', () => {
  it('gives deciders an inbox and vendor staff their requests', () => {
    expect([decides('admin'), decides('unit_user'), decides('vendor_pm'), decides(null)]).toEqual([true, true, false, false])
    expect([asks('vendor_pm'), asks('engineer'), asks('admin'), asks('auditor')]).toEqual([true, true, false, false])
  })

  it('lets only the requester withdraw, and only while pending', () => {
    expect(mayWithdraw(approval(), 'u-pm')).toBe(true)
    expect(mayWithdraw(approval(), 'u-admin')).toBe(false)
    expect(mayWithdraw(approval({ status: 'approved' }), 'u-pm')).toBe(false)
    expect(mayWithdraw(approval(), undefined)).toBe(false)
  })

  it('counts what waits for a decider, and asks nothing for the others', async () => {
    fetchMock.mockResolvedValueOnce(json(200, { items: [approval()], total: 3, page: 1, page_size: 1 }))
    await refreshInbox('unit_user')
    expect(inbox.pending).toBe(3)
    const req = fetchMock.mock.calls[0]![0] as Request
    expect(new URL(req.url, 'http://x').search).toBe('?mine=true&page_size=1')
    fetchMock.mockReset()
    await refreshInbox('engineer')
    expect(inbox.pending).toBe(0)
    expect(fetchMock).not.toHaveBeenCalled()
  })
})

describe('what a request changes, readable', () => {
  it('reads values as people do: labels, Beijing time, windows, ranges, masked headers', () => {
    expect(valueText('active', false, tr)).toBe('否')
    expect(valueText('cause', 'carrier', tr)).toBe('运营商/网络')
    expect(valueText('to', 'pending', tr)).toBe('挂起')
    expect(valueText('kind', 'tcp', tr)).toBe('TCP 端口')
    expect(valueText('outage_start', '2026-11-21T18:00:00Z', tr)).toBe('2026-11-22 02:00')
    expect(valueText('name', '', tr)).toBe('—')
    expect(valueText('status', [{ from: 200, to: 200 }, { from: 500, to: 599 }], tr)).toBe('200、500-599')
    expect(valueText('headers', { Authorization: '••••••' }, tr)).toBe('Authorization: ••••••')
    const weekly = { repeat: 'weekly', weekdays: [7], at: '02:00:00', minutes: 120, time_zone: 'Asia/Shanghai' }
    expect(valueText('window', weekly, tr)).toBe('每周日 02:00 起 120 分钟（Asia/Shanghai）')
  })

  it('puts a plan’s recurrence in words', () => {
    expect(recurrenceText({ every: 'week', weekdays: ['mon', 'thu'] }, tr)).toBe('每周（一、四）')
    expect(recurrenceText({ every: 'month', day: 15 }, tr)).toBe('每月 · 15 日')
    expect(recurrenceText({ times_per_year: 4 }, tr)).toBe('每年若干次 · 4 次')
    expect(recurrenceText({ every: 'working_day' }, tr)).toBe('每个工作日')
  })

  it('shows a new window without a current side, and leaves out bookkeeping', () => {
    const rows = changeRows(
      approval({
        proposed: {
          id: 'w1',
          system_id: 's1',
          name: '季度升级',
          reason: '升级',
          effective_from: '2026-12-01T22:00:00Z',
          window: { repeat: 'once', start: '2026-12-05T18:00:00Z', end: '2026-12-05T20:00:00Z' },
          created_at: '2026-12-01T22:00:00Z',
        } as never,
        current: null as never,
      }),
      tr,
    )
    expect(rows.map((r) => [r.label, r.proposed, r.current])).toEqual([
      ['名称', '季度升级', ''],
      ['生效时间', '2026-12-02 06:00', ''],
      ['维护时间', '2026-12-06 02:00 – 2026-12-06 04:00', ''],
    ])
  })

  it('marks what a monitor change changes, nested fields by their own names', () => {
    const rows = changeRows(
      approval({
        kind: 'monitor_update',
        proposed: { name: 'db', active: false, expect: { method: 'HEAD' }, target: '10.2.3.4:5432' } as never,
        current: { id: 'm1', name: 'db', active: true, expect: { method: 'GET' }, target: '10.2.3.4:5432', state: 'up' } as never,
      }),
      tr,
    )
    const changed = rows.filter((r) => r.changed).map((r) => [r.label, r.proposed, r.current])
    expect(changed).toEqual([
      ['启用', '否', '是'],
      ['请求方法', 'HEAD', 'GET'],
    ])
    expect(rows.find((r) => r.key === 'name')?.changed).toBe(false)
    expect(rows.some((r) => r.key === 'state' || r.key === 'id')).toBe(false)
  })

  it('reads a pause as the state it leaves and the one it asks for', () => {
    const rows = changeRows(
      approval({ kind: 'ticket_pause', proposed: { to: 'pending', reason: '等用户', waiting_for: null } as never, current: { status: 'in_progress' } as never }),
      tr,
    )
    expect(rows.filter((r) => r.changed).map((r) => [r.label, r.proposed, r.current])).toEqual([['转为状态', '挂起', '处理中']])
  })

  it('reads a plan field sent empty as its default', () => {
    const rows = changeRows(
      approval({
        kind: 'plan_update',
        proposed: { recurrence: { every: 'week', weekdays: ['mon'] }, calendar_id: null, end_date: null } as never,
        current: { recurrence: { every: 'day' }, calendar_id: 'preset-5x8', end_date: null, recurrence_text: '每天' } as never,
      }),
      tr,
    )
    expect(rows.map((r) => [r.label, r.proposed, r.current, r.changed])).toEqual([
      ['频次', '每周（一）', '每天', true],
      ['工作日历', '（默认）', 'preset-5x8', true],
      ['结束日期', '—', '—', false],
    ])
  })

  it('shows a removal as everything that goes', () => {
    const rows = changeRows(approval({ kind: 'plan_delete', proposed: {}, current: { name: '每日巡检', active: true } as never }), tr)
    expect(rows.map((r) => [r.label, r.proposed, r.current, r.changed])).toEqual([
      ['名称', '', '每日巡检', true],
      ['启用', '', '是', true],
    ])
  })
})

// Element Plus shows field errors inside a transition group, which the default stub would hide.
const global = { plugins: [ElementPlus, i18n], stubs: { transition: false, 'transition-group': false } }

async function settle(): Promise<void> {
  await flushPromises()
  await new Promise((r) => setTimeout(r, 150))
  await flushPromises()
}

function errorsShown(): string[] {
  return [...document.body.querySelectorAll('.el-form-item__error')].map((e) => e.textContent?.trim() ?? '')
}

function type(testid: string, value: string): void {
  const input = document.body.querySelector<HTMLInputElement | HTMLTextAreaElement>(`[data-testid="${testid}"]`)
  expect(input, testid).not.toBeNull()
  input!.value = value
  input!.dispatchEvent(new Event('input'))
}

describe('a vendor manager asking for a maintenance window', () => {
  it('is told the window was filed for approval, and the form reports a request, not a window', async () => {
    session.user = { id: 'u-pm', username: 'shen', role: 'vendor_pm' } as User
    fetchMock.mockResolvedValueOnce(json(202, approval({ reason: '升级数据库' })))
    const w = mount(MaintenanceForm, { props: { modelValue: false, systemId: 's1' }, global, attachTo: document.body })
    await w.setProps({ modelValue: true })
    await flushPromises()
    expect(document.body.querySelector('[data-testid="maintenance-approval-note"]')).not.toBeNull()
    type('maintenance-name', '季度升级')
    type('maintenance-reason', ' 升级数据库 ')
    document.body.querySelector<HTMLButtonElement>('[data-testid="form-save"]')!.click()
    await settle()
    const { method, path, body } = await sent()
    expect([method, path]).toEqual(['POST', '/api/v1/systems/s1/maintenance'])
    expect(body).toMatchObject({ name: '季度升级', reason: '升级数据库', effective_from: null, window: { repeat: 'weekly' } })
    expect(w.emitted('saved')).toBeUndefined()
    expect(w.emitted('requested')?.[0]?.[0]).toMatchObject({ id: 'a1', status: 'pending' })
    expect(document.body.textContent).toContain('已提交数据局审批，批准后生效')
  })
})

describe('deciding a request', () => {
  it('wants a reason to reject, and shows the API’s own field error', async () => {
    const w = mount(DecisionDialog, {
      props: { modelValue: false, approval: approval({ can_decide: true }), mode: 'reject' },
      global,
      attachTo: document.body,
    })
    await w.setProps({ modelValue: true })
    await flushPromises()
    const confirm = () => document.body.querySelector<HTMLButtonElement>('[data-testid="decision-confirm"]')!.click()
    confirm()
    await settle()
    expect(fetchMock).not.toHaveBeenCalled()
    await vi.waitFor(() => expect(errorsShown()).toEqual(['驳回须填写理由']), { timeout: 3000 })

    fetchMock.mockResolvedValueOnce(
      json(422, { code: 'validation', message: '输入有误', request_id: 'r', field_errors: [{ field: 'comment', message: '不能超过 2000 字' }] }),
    )
    type('decision-comment', '理由')
    confirm()
    await settle()
    expect(await sent()).toMatchObject({ method: 'POST', path: '/api/v1/approvals/a1/reject', body: { comment: '理由' } })
    await vi.waitFor(() => expect(errorsShown()).toEqual(['不能超过 2000 字']), { timeout: 3000 })
    expect(w.emitted('decided')).toBeUndefined()

    fetchMock.mockResolvedValueOnce(json(200, approval({ status: 'rejected', comment: '理由', decided_by_name: '系统管理员' })))
    confirm()
    await settle()
    expect(w.emitted('decided')?.[0]?.[0]).toMatchObject({ status: 'rejected' })
  })
})

describe('evidence with a request', () => {
  it('lets the one who asked add files while it is pending, and lists them for everyone', async () => {
    const file = { id: 'f1', approval_id: 'a1', file_name: '调休审批单.pdf', content_type: 'application/pdf', size: 10, sha256: 'x', uploaded_by: 'u-pm', created_at: '' }
    session.user = { id: 'u-pm', username: 'shen', role: 'vendor_pm' } as User
    fetchMock.mockResolvedValueOnce(json(200, [file]))
    const mine = mount(ApprovalFiles, { props: { approval: approval({ requested_by: 'u-pm' }) }, global })
    await flushPromises()
    expect((await sent()).path).toBe('/api/v1/approvals/a1/files')
    expect(mine.find('[data-testid="approval-file"]').attributes('href')).toBe('/api/v1/approvals/a1/files/f1')
    expect(mine.find('[data-testid="approval-file-input"]').exists()).toBe(true)
    // The bureau reads them but adds none; nobody adds to a decided request.
    session.user = { id: 'u-admin', username: 'admin', role: 'admin' } as User
    fetchMock.mockResolvedValueOnce(json(200, [file]))
    const theirs = mount(ApprovalFiles, { props: { approval: approval({ requested_by: 'u-pm' }) }, global })
    await flushPromises()
    expect(theirs.find('[data-testid="approval-file"]').text()).toBe('调休审批单.pdf')
    expect(theirs.find('[data-testid="approval-file-input"]').exists()).toBe(false)
    session.user = { id: 'u-pm', username: 'shen', role: 'vendor_pm' } as User
    fetchMock.mockResolvedValueOnce(json(200, []))
    const decided = mount(ApprovalFiles, { props: { approval: approval({ requested_by: 'u-pm', status: 'approved' }) }, global })
    await flushPromises()
    expect(decided.find('[data-testid="approval-file-input"]').exists()).toBe(false)
    expect(decided.text()).toContain('无')
  })

  it('names the files that could not be added, and adds the others', async () => {
    fetchMock.mockResolvedValueOnce(json(201, {})).mockResolvedValueOnce(
      json(422, { code: 'validation', message: '输入有误', request_id: 'r', field_errors: [{ field: 'file', message: '只接受图片' }] }),
    )
    const failed = await addApprovalFiles('a1', [new File(['%PDF-'], 'a.pdf'), new File([new Uint8Array([0, 1])], 'b.bin')])
    expect(failed).toHaveLength(1)
    expect(failed[0]).toMatch(/^b\.bin: /)
    expect(String(fetchMock.mock.calls[0]?.[0])).toBe('/api/v1/approvals/a1/files')
  })
})
