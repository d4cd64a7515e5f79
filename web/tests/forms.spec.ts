import { flushPromises, mount } from '@vue/test-utils'
import ElementPlus from 'element-plus'
import { beforeEach, describe, expect, it, vi } from 'vitest'

import { i18n } from '@/i18n'
import ContractForm from '@/views/forms/ContractForm.vue'
import { blankItem, systemsError, toInput, toModel } from '@/views/forms/contractModel'
import PolicyForm from '@/views/forms/PolicyForm.vue'
import UnitForm from '@/views/forms/UnitForm.vue'
import PlanForm from '@/views/inspections/PlanForm.vue'
import SecPlanForm from '@/views/secops/SecPlanForm.vue'

import { fetchMock, json, sent } from './setup'

// Element Plus shows field errors inside a transition group, which the default stub would hide.
const global = { plugins: [ElementPlus, i18n], stubs: { transition: false, 'transition-group': false } }

async function open<T>(component: T, props: Record<string, unknown>) {
  // Dialogs fill their form when they open, as in the app.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const w = mount(component as any, { props: { modelValue: false, ...props }, global, attachTo: document.body })
  await w.setProps({ modelValue: true })
  await flushPromises()
  return w
}

/** Element Plus shows a form item's error state after a short debounce. */
async function settle(): Promise<void> {
  await flushPromises()
  await new Promise((r) => setTimeout(r, 150))
  await flushPromises()
}

function errorsShown(): string[] {
  return [...document.body.querySelectorAll('.el-form-item__error')].map((e) => e.textContent?.trim() ?? '')
}

beforeEach(() => {
  fetchMock.mockReset()
  document.body.innerHTML = ''
})

describe('UnitForm', () => {
  it("shows the API's field errors next to the fields and keeps the dialog open", async () => {
    fetchMock.mockResolvedValueOnce(
      json(409, { code: 'conflict', message: '已存在同名单位', request_id: 'r', field_errors: [{ field: 'name', message: '已存在同名单位' }] }),
    )
    const w = await open(UnitForm, { record: null })
    const input = document.body.querySelector<HTMLInputElement>('[data-testid="unit-name"]')
    expect(input).not.toBeNull()
    input!.value = '安阳市民政局'
    input!.dispatchEvent(new Event('input'))
    document.body.querySelector<HTMLButtonElement>('[data-testid="form-save"]')!.click()
    await settle()
    expect(await sent()).toMatchObject({ method: 'POST', path: '/api/v1/units', body: { name: '安阳市民政局' } })
    await vi.waitFor(() => expect(errorsShown()).toEqual(['已存在同名单位']), { timeout: 3000 })
    expect(w.emitted('saved')).toBeUndefined()
  })

  it('saves an edit with PUT and reports the saved unit', async () => {
    const unit = { id: 'u1', name: '档案馆', created_at: '', updated_at: '' }
    fetchMock.mockResolvedValueOnce(json(200, { ...unit, short_name: '档案' }))
    const w = await open(UnitForm, { record: unit })
    document.body.querySelector<HTMLButtonElement>('[data-testid="form-save"]')!.click()
    await settle()
    expect(await sent()).toMatchObject({ method: 'PUT', path: '/api/v1/units/u1', body: { name: '档案馆' } })
    expect(w.emitted('saved')?.[0]).toEqual([{ ...unit, short_name: '档案' }])
    expect(w.emitted('update:modelValue')?.at(-1)).toEqual([false])
  })
})

describe('ContractForm', () => {
  it('sends budgets in fen and shows item errors on the item they belong to', async () => {
    // The dialog loads the SLA policies an item may name, the vendor's staff who may handle an
    // item's tickets by default, and the indicators its targets may name; the save is refused.
    fetchMock.mockImplementation((input: RequestInfo | URL, init?: RequestInit) => {
      const req = input instanceof Request ? input : new Request(String(input), init)
      const path = new URL(req.url, 'http://x').pathname
      if (path === '/api/v1/sla/policies') return Promise.resolve(json(200, { items: [{ id: 'p1', name: '四级故障' }], total: 1, page: 1, page_size: 500 }))
      if (path === '/api/v1/users') {
        return Promise.resolve(json(200, { items: [{ id: 'e1', username: 'gong', role: 'engineer', active: true, vendor_id: 'v1' }], total: 1, page: 1, page_size: 500 }))
      }
      if (path.startsWith('/api/v1/kpis/')) return Promise.resolve(json(200, { items: [] }))
      return Promise.resolve(
        json(422, {
          code: 'validation',
          message: '输入有误',
          request_id: 'r',
          field_errors: [
            { field: 'items[0].end_date', message: '服务期结束日期不能早于开始日期' },
            { field: 'items[0].milestones', message: '付款比例合计须为 100%，当前为 90%' },
          ],
        }),
      )
    })
    const contract = {
      id: 'c1',
      name: '2026 运维合同',
      vendor_id: 'v1',
      total_fen: 12_345_678,
      created_at: '',
      updated_at: '',
      items: [
        {
          id: 'i1',
          contract_id: 'c1',
          name: '软件运维',
          budget_fen: 12_345_678,
          start_date: '2026-07-01',
          // The browser finds nothing wrong here; the server's answer (mocked) does.
          end_date: '2026-12-31',
          system_ids: ['s1'],
          milestones: [{ percent: 90, condition: '验收' }],
          sla_policy_id: 'p1',
          counted_causes: ['vendor'],
        },
      ],
    }
    await open(ContractForm, { record: contract, vendors: [], systems: [] })
    document.body.querySelector<HTMLButtonElement>('[data-testid="form-save"]')!.click()
    await settle()
    const calls = await Promise.all(fetchMock.mock.calls.map((_, i) => sent(i)))
    // The dialog reads the policies, the vendor's staff, and for the targets the catalogue.
    expect(calls.map((c) => c.path)).toEqual(expect.arrayContaining(['/api/v1/sla/policies', '/api/v1/users', '/api/v1/kpis/catalogue']))
    const put = calls.filter((c) => c.method === 'PUT')
    expect(put.map((c) => c.path)).toEqual(['/api/v1/contracts/c1'])
    const { body } = put[0]!
    expect(body).toMatchObject({
      items: [{ id: 'i1', budget_fen: 12_345_678, system_ids: ['s1'], sla_policy_id: 'p1', counted_causes: ['vendor'] }],
    })
    const item = document.body.querySelector('[data-testid="item-0"]')!
    const shown = () => [...item.querySelectorAll('.el-form-item__error')].map((e) => e.textContent?.trim())
    await vi.waitFor(() => expect(shown()).toEqual(['服务期结束日期不能早于开始日期', '付款比例合计须为 100%，当前为 90%']), {
      timeout: 3000,
    })
    // Mounting the whole contract dialog takes seconds on a busy two-core CI machine.
  }, 20_000)
})

describe('ContractForm checks before sending', () => {
  it('shows a reversed service period and a negative budget on the item, sending nothing', async () => {
    fetchMock.mockResolvedValueOnce(json(200, { items: [], total: 0, page: 1, page_size: 500 }))
    fetchMock.mockResolvedValueOnce(json(200, { items: [], total: 0, page: 1, page_size: 500 }))
    const item = {
      id: 'i1',
      contract_id: 'c1',
      name: '软件运维',
      budget_fen: -10_000,
      start_date: '2026-07-01',
      end_date: '2026-06-01',
      system_ids: ['s1'],
      milestones: [],
      counted_causes: ['vendor'],
    }
    const record = { id: 'c1', name: '合同', vendor_id: 'v1', total_fen: 0, created_at: '', updated_at: '', items: [item] }
    await open(ContractForm, { record, vendors: [], systems: [] })
    const before = fetchMock.mock.calls.length
    document.body.querySelector<HTMLButtonElement>('[data-testid="form-save"]')!.click()
    await settle()
    const shown = () => [...document.body.querySelectorAll('[data-testid="item-0"] .el-form-item__error')].map((e) => e.textContent?.trim())
    await vi.waitFor(() => expect(shown()).toEqual(['金额不能为负数', '结束时间早于开始时间，请检查时间范围']), { timeout: 3000 })
    expect(fetchMock.mock.calls.length).toBe(before)
  }, 20_000)
})

describe('the contract model', () => {
  it('round-trips a contract and converts yuan to fen', () => {
    const m = toModel(null)
    m.name = '合同'
    m.items.push({ ...blankItem(), name: '分项', budgetYuan: 2_860_000.1, system_ids: ['a'] })
    const input = toInput(m)
    expect(input.items?.[0]).toMatchObject({ name: '分项', budget_fen: 286_000_010, id: null, notes: null })
    expect(input.code).toBeNull()
  })

  it('keeps when a milestone falls due: a date, or an assessed period', () => {
    const m = toModel(null)
    m.items.push({
      ...blankItem(),
      milestones: [
        { percent: 25, condition: '第三季度考评后支付', due_on: null, assessed: ['2026-07-01', '2026-09-30'] },
        { percent: 75, condition: '年底支付', due_on: '2026-12-31', assessed: [] },
      ],
    })
    const [a, b] = toInput(m).items?.[0]?.milestones ?? []
    expect(a).toMatchObject({ due_on: null, assessed_from: '2026-07-01', assessed_to: '2026-09-30' })
    expect(b).toMatchObject({ due_on: '2026-12-31', assessed_from: null, assessed_to: null })
  })

  it('keeps an item’s vulnerability policy beside its SLA policy', () => {
    const record = {
      id: 'c1',
      name: '合同',
      vendor_id: 'v1',
      items: [{ id: 'i1', name: '安全运维', budget_fen: 100, start_date: '2026-01-01', end_date: '2026-12-31', system_ids: ['s1'], milestones: [], sla_policy_id: 'p1', vulnerability_policy_id: 'p2' }],
    }
    const m = toModel(record as never)
    expect(m.items[0]?.vulnerability_policy_id).toBe('p2')
    expect(toInput(m).items?.[0]).toMatchObject({ sla_policy_id: 'p1', vulnerability_policy_id: 'p2' })
    m.items[0]!.vulnerability_policy_id = ''
    expect(toInput(m).items?.[0]?.vulnerability_policy_id).toBeNull()
    expect(blankItem().vulnerability_policy_id).toBeNull()
  })

  it('sends an item’s targets in the API’s units', () => {
    const m = toModel(null)
    const target = { key: 'response_on_time_rate', op: 'at_least' as const, value: 0.98, per: 'period' as const }
    m.items.push({ ...blankItem(), targets: [target] })
    expect(toInput(m).items?.[0]?.targets).toEqual([target])
    expect(blankItem().targets).toEqual([])
  })

  it('finds the first error about an item’s systems', () => {
    expect(systemsError({ 'system_ids[2]': '信息系统不存在', name: 'x' })).toBe('信息系统不存在')
    expect(systemsError({ system_ids: '一个分项最多覆盖 1000 个信息系统' })).toContain('1000')
    expect(systemsError({ name: 'x' })).toBeUndefined()
  })
})

describe('the plan schedule, shared by inspection plans and security plans', () => {
  /** Lists load empty; a saved plan comes back as sent. */
  function answer(): void {
    fetchMock.mockImplementation(async (input: RequestInfo | URL, init?: RequestInit) => {
      const req = input instanceof Request ? input : new Request(String(input), init)
      if (req.method === 'GET') return json(200, { items: [], total: 0, page: 1, page_size: 500 })
      return json(200, { id: 'p1', ...((await req.json()) as object) })
    })
  }

  const testid = (id: string) => document.body.querySelector(`[data-testid="${id}"]`)
  const labels = () => [...document.body.querySelectorAll('.el-form-item__label')].map((e) => e.textContent?.trim())

  it('sends an inspection plan’s schedule as it was, with the assignee between calendar and dates', async () => {
    answer()
    const record = {
      id: 'p1',
      name: '日常巡检',
      system_id: 's1',
      template_id: 't1',
      recurrence: { every: 'week', weekdays: ['tue', 'fri'] },
      calendar_id: 'c1',
      holiday_rule: 'skip',
      assignee_role: 'engineer',
      window_start: '09:00',
      window_end: '18:00',
      start_date: '2026-01-01',
      end_date: '2026-12-31',
      active: true,
    }
    await open(PlanForm, { record, systems: [], templates: [] })
    for (const id of ['plan-system', 'plan-template', 'plan-frequency', 'plan-assignee', 'plan-start', 'plan-end']) expect(testid(id), id).not.toBeNull()
    const t = i18n.global.t
    const order = labels()
    expect(order.indexOf(t('inspections.calendar'))).toBeLessThan(order.indexOf(t('inspections.assignee')))
    expect(order.indexOf(t('inspections.window'))).toBeLessThan(order.indexOf(t('inspections.startDate')))
    document.body.querySelector<HTMLButtonElement>('[data-testid="form-save"]')!.click()
    await settle()
    const calls = await Promise.all(fetchMock.mock.calls.map((_, i) => sent(i)))
    const put = calls.filter((c) => c.method === 'PUT')
    expect(put.map((c) => c.path)).toEqual(['/api/v1/inspection-plans/p1'])
    expect(put[0]!.body).toMatchObject({
      system_id: 's1',
      template_id: 't1',
      recurrence: { every: 'week', weekdays: ['tue', 'fri'] },
      calendar_id: 'c1',
      holiday_rule: 'skip',
      assignee_role: 'engineer',
      window_start: '09:00',
      window_end: '18:00',
      start_date: '2026-01-01',
      end_date: '2026-12-31',
      active: true,
    })
  }, 20_000)

  it('starts a new security plan quarterly, its selectors named secplan-', async () => {
    answer()
    await open(SecPlanForm, { record: null, systems: [] })
    for (const id of ['secplan-system', 'secplan-kind', 'secplan-frequency', 'secplan-start', 'secplan-end']) expect(testid(id), id).not.toBeNull()
    expect(testid('plan-frequency')).toBeNull()
    expect(testid('secplan-frequency')?.textContent).toContain(i18n.global.t('inspections.frequencies.quarter'))
  }, 20_000)

  it('shows a security plan’s reversed period on the end date and sends nothing', async () => {
    answer()
    const record = {
      id: 'sp1',
      system_id: 's1',
      kind: 'scan',
      recurrence: { every: 'month', day: 5 },
      holiday_rule: 'next_working_day',
      start_date: '2026-07-01',
      end_date: '2026-06-01',
      active: true,
    }
    await open(SecPlanForm, { record, systems: [] })
    document.body.querySelector<HTMLButtonElement>('[data-testid="form-save"]')!.click()
    await settle()
    await vi.waitFor(() => expect(errorsShown()).toEqual([i18n.global.t('validate.range')]), { timeout: 3000 })
    const calls = await Promise.all(fetchMock.mock.calls.map((_, i) => sent(i)))
    expect(calls.filter((c) => c.method !== 'GET')).toEqual([])
  }, 20_000)
})

describe('PolicyForm: fixing before the next scan', () => {
  // A vulnerability fix policy: 高危 within 3 working days, 中危 before the system's next scan.
  const record = {
    id: 'vp1',
    name: '漏洞修复',
    calendar_id: 'preset-5x8',
    version: 1,
    latest_version: 1,
    levels: [
      { name: '高危', order: 1, targets: { fix: { kind: 'working_days', days: 3, at: 'end_of_day' } } },
      { name: '中危', order: 2, targets: {}, before_next_scan: true },
    ],
    pause_states: {},
    upgrade: [],
    escalation: [],
  }
  const box = (i: number) => document.body.querySelector<HTMLElement>(`[data-testid="policy-level-${i}-before-next-scan"]`)!

  it('loads the level ticked and sends a level ticked in place of its fix target', async () => {
    fetchMock.mockImplementation(async (input: RequestInfo | URL, init?: RequestInit) => {
      const req = input instanceof Request ? input : new Request(String(input), init)
      if (req.method === 'GET') return json(200, [])
      return json(200, { ...record, ...((await req.json()) as object) })
    })
    const w = await open(PolicyForm, { record, start: null, calendars: [], items: [] })
    expect(box(0).classList.contains('is-checked')).toBe(false)
    expect(box(1).classList.contains('is-checked')).toBe(true)
    expect(box(1).textContent).toContain('下次扫描前修复')
    // Ticking 高危 drops its fix target, leaving it none.
    box(0).querySelector<HTMLInputElement>('input')!.click()
    await flushPromises()
    expect(box(0).classList.contains('is-checked')).toBe(true)
    expect(document.body.querySelectorAll('[data-testid="level-0"] .yw-target-row')).toHaveLength(0)
    document.body.querySelector<HTMLButtonElement>('[data-testid="form-save"]')!.click()
    await settle()
    const calls = await Promise.all(fetchMock.mock.calls.map((_, i) => sent(i)))
    const put = calls.filter((c) => c.method === 'PUT')
    expect(put.map((c) => c.path)).toEqual(['/api/v1/sla/policies/vp1'])
    const levels = (put[0]!.body as { levels: Record<string, unknown>[] }).levels
    expect(levels).toMatchObject([
      { name: '高危', targets: {}, before_next_scan: true },
      { name: '中危', targets: {}, before_next_scan: true },
    ])
    for (const l of levels) expect(l.targets).not.toHaveProperty('fix')
    expect(w.emitted('saved')).toHaveLength(1)
  }, 20_000)

  it('still asks a level without it for a target, sending nothing', async () => {
    fetchMock.mockResolvedValue(json(200, []))
    const bare = { ...record, levels: [{ name: '低危', order: 1, targets: {} }] }
    await open(PolicyForm, { record: bare, start: null, calendars: [], items: [] })
    document.body.querySelector<HTMLButtonElement>('[data-testid="form-save"]')!.click()
    await settle()
    await vi.waitFor(() => expect(errorsShown()).toEqual([i18n.global.t('policies.targetRequired')]), { timeout: 3000 })
    const calls = await Promise.all(fetchMock.mock.calls.map((_, i) => sent(i)))
    expect(calls.filter((c) => c.method !== 'GET')).toEqual([])
  }, 20_000)
})
