import { flushPromises, mount } from '@vue/test-utils'
import ElementPlus from 'element-plus'
import { afterEach, describe, expect, it } from 'vitest'

import { addYears, byDue, currentYear, type DengbaoRecord, itemMoves, mayEdit, needsNote, percent, type RectItem, yearChoices } from '@/dengbao'
import { i18n } from '@/i18n'
import { session, type User } from '@/session'
import ItemTable from '@/views/secops/ItemTable.vue'

import { fetchMock, json, sent } from './setup'

const global = { plugins: [ElementPlus, i18n], stubs: { transition: false, 'transition-group': false } }

afterEach(() => {
  session.user = null
  fetchMock.mockReset()
  document.body.innerHTML = ''
})

const item = (status: RectItem['status'], extra: Partial<RectItem> = {}): RectItem => ({
  id: `i-${status}`,
  system_id: 's1',
  unit_id: 'u1',
  title: `口令复杂度不足（${status}）`,
  risk: 'high',
  deadline: '2026-03-31',
  status,
  late: false,
  created_at: '2026-01-05T00:00:00Z',
  ...extra,
})

describe('who may move a rectification item', () => {
  it('lets the vendor report an open item done, and the bureau close it or send it back', () => {
    expect(itemMoves('open', 'engineer')).toEqual(['done'])
    expect(itemMoves('open', 'vendor_pm')).toEqual(['done'])
    expect(itemMoves('open', 'admin')).toEqual(['done', 'closed'])
    expect(itemMoves('done', 'admin')).toEqual(['closed', 'open'])
    expect(itemMoves('done', 'engineer')).toEqual([])
    expect(itemMoves('closed', 'admin')).toEqual([])
    expect(itemMoves('open', 'unit_user')).toEqual([])
    expect(itemMoves('open', 'auditor')).toEqual([])
    expect(mayEdit('admin')).toBe(true)
    expect(mayEdit('vendor_pm')).toBe(false)
  })

  it('asks a note for a report and for sending back, as the API does', () => {
    expect(needsNote('done')).toBe(true)
    expect(needsNote('open')).toBe(true)
    expect(needsNote('closed')).toBe(false)
  })
})

describe('the programme’s arithmetic', () => {
  it('offers next year and five before, and shows progress past the quota', () => {
    expect(yearChoices(2026)).toEqual([2027, 2026, 2025, 2024, 2023, 2022])
    expect(currentYear(new Date('2026-12-31T16:30:00Z'))).toBe(2027) // already 1 January in Beijing
    expect(percent(0.3333)).toBe(33)
    expect(percent(1.2)).toBe(120)
  })

  it('adds years to a day, 29 February falling back to the 28th', () => {
    expect(addYears('2026-03-15', 1)).toBe('2027-03-15')
    expect(addYears('2024-02-29', 2)).toBe('2026-02-28')
    expect(addYears('2024-02-29', 4)).toBe('2028-02-29')
  })

  it('lists overdue systems first, then by the next due day, undated last', () => {
    const r = (system_id: string, next_due_on: string | null, overdue = false) => ({ system_id, next_due_on, overdue }) as DengbaoRecord
    const names: Record<string, string> = { a: '乙', b: '甲', c: '丙', d: '丁' }
    const sorted = byDue([r('a', null), r('b', '2027-01-01'), r('c', '2025-05-01', true), r('d', '2026-06-01')], (id) => names[id]!)
    expect(sorted.map((x) => x.system_id)).toEqual(['c', 'd', 'b', 'a'])
  })
})

describe('the items table', () => {
  it('shows a late deadline in red and offers a unit’s clerk no action', async () => {
    session.user = { id: 'u-jia', username: 'jia', role: 'unit_user' } as User
    const w = mount(ItemTable, { props: { rows: [item('open', { late: true })] }, global })
    await flushPromises()
    expect(w.find('.el-table__body [data-testid="item-late"]').text()).toBe('已超期')
    expect(w.find('.el-table__body [data-testid="item-status"]').text()).toBe('待整改')
    expect(w.find('.el-table__body [data-testid="item-risk-tag"]').text()).toBe('高风险')
    expect(w.find('[data-testid="item-to-done"]').exists()).toBe(false)
  })

  it('has the engineer report an item done with what was done', async () => {
    session.user = { id: 'u-eng', username: 'lu', role: 'engineer' } as User
    const w = mount(ItemTable, { props: { rows: [item('open'), item('done')] }, global, attachTo: document.body })
    await flushPromises()
    expect(w.findAll('[data-testid="item-to-done"]')).toHaveLength(1)
    expect(w.find('[data-testid="item-to-closed"]').exists()).toBe(false)
    await w.find('[data-testid="item-to-done"]').trigger('click')
    await flushPromises()
    expect(document.body.textContent).toContain('整改情况（做了什么）')
    const note = document.body.querySelector<HTMLTextAreaElement>('[data-testid="item-note"] textarea, textarea[data-testid="item-note"]')!
    note.value = '已启用口令复杂度策略'
    note.dispatchEvent(new Event('input'))
    fetchMock.mockResolvedValueOnce(json(200, item('done', { done_note: '已启用口令复杂度策略' })))
    document.body.querySelector<HTMLButtonElement>('[data-testid="item-move-confirm"]')!.click()
    await flushPromises()
    const { method, path, body } = await sent()
    expect([method, path]).toEqual(['POST', '/api/v1/dengbao/items/i-open/transitions'])
    expect(body).toEqual({ to: 'done', note: '已启用口令复杂度策略' })
    expect(w.emitted('moved')).toHaveLength(1)
  })

  it('offers the bureau to close a reported item or send it back', async () => {
    session.user = { id: 'u-admin', username: 'admin', role: 'admin' } as User
    const w = mount(ItemTable, { props: { rows: [item('done', { done_note: '已整改' })] }, global })
    await flushPromises()
    expect(w.find('[data-testid="item-to-closed"]').text()).toBe('确认关闭')
    expect(w.find('[data-testid="item-to-open"]').text()).toBe('退回')
  })
})
