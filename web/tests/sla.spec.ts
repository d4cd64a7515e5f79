import { mount } from '@vue/test-utils'
import ElementPlus from 'element-plus'
import { describe, expect, it } from 'vitest'
import { nextTick, ref } from 'vue'

import TargetInput from '@/components/TargetInput.vue'
import { i18n } from '@/i18n'
import { durationText, hoursText, parseHoursText, retarget, type Target, targetText } from '@/sla'
import { levelChecks, metricsOf, setBeforeNextScan, toInput, toModel } from '@/views/forms/policyModel'

const t = i18n.global.t as (k: string, p?: Record<string, unknown>) => string

describe('targets in words', () => {
  it('read like the contract clauses', () => {
    expect(targetText({ kind: 'calendar', minutes: 15 }, t)).toBe('15 分钟 内（自然时间）')
    expect(targetText({ kind: 'business', minutes: 480 }, t)).toBe('8 小时 内（工作时间）')
    expect(targetText({ kind: 'working_days', days: 3 }, t)).toBe('3 个工作日内（当日下班前）')
    expect(targetText({ kind: 'working_days', days: 1, at: 'same_time' }, t)).toBe('1 个工作日内（同一时刻）')
    expect(targetText({ kind: 'next_working_day', at: 'start' }, t)).toBe('下一个工作日上班时')
    expect(durationText(1440, t)).toBe('1 天')
    expect(durationText(90, t)).toBe('1.5 小时')
  })

  it('keep their amount when the kind changes', () => {
    expect(retarget('business', { kind: 'calendar', minutes: 240 })).toEqual({ kind: 'business', minutes: 240 })
    expect(retarget('working_days', { kind: 'calendar', minutes: 240 })).toEqual({ kind: 'working_days', days: 1, at: 'end_of_day' })
    expect(retarget('calendar', { kind: 'next_working_day', at: 'end' })).toEqual({ kind: 'calendar', minutes: 60 })
  })
})

describe('hours typed as text', () => {
  it('parse with the separators people use', () => {
    expect(parseHoursText('9:00-12:00，13:30～17:30')).toEqual([
      ['09:00', '12:00'],
      ['13:30', '17:30'],
    ])
    expect(parseHoursText('9:00-12:00 13:30-17:30')).toBeNull()
    expect(parseHoursText('9:00-12:00，13:30-17:30')).toEqual([
      ['09:00', '12:00'],
      ['13:30', '17:30'],
    ])
    expect(parseHoursText('08:30 至 17:30')).toEqual([['08:30', '17:30']])
    expect(parseHoursText('')).toEqual([])
    expect(parseHoursText('morning')).toBeNull()
    expect(hoursText([['08:30', '12:00'], ['13:30', '17:30']])).toBe('08:30-12:00, 13:30-17:30')
  })
})

describe('the policy model', () => {
  const spec = {
    name: '档案馆故障',
    calendar_id: 'preset-5x8',
    contract_item_id: 'i1',
    levels: [
      {
        name: '核心故障',
        order: 1,
        criteria: '系统崩溃',
        targets: { arrival: { kind: 'calendar', minutes: 15 }, restore: { kind: 'calendar', minutes: 60 } } as Record<string, Target>,
        out_of_hours_targets: { arrival: { kind: 'calendar', minutes: 30 } } as Record<string, Target>,
      },
    ],
    pause_states: { pending: ['restore'] },
    upgrade: [],
    escalation: [{ metric: 'restore', on_breach: true, notify: ['admin'], channels: ['ch1'], escalate_to: 'L3' }],
  }

  it('round-trips a policy through the form', () => {
    const m = toModel(spec)
    expect(m.levels[0].rows).toEqual([
      { metric: 'arrival', target: { kind: 'calendar', minutes: 15 }, ooh: { kind: 'calendar', minutes: 30 } },
      { metric: 'restore', target: { kind: 'calendar', minutes: 60 }, ooh: null },
    ])
    const input = toInput(m)
    expect(input.levels?.[0].targets).toEqual(spec.levels[0].targets)
    expect(input.levels?.[0].out_of_hours_targets).toEqual(spec.levels[0].out_of_hours_targets)
    expect(input.pause_states).toEqual({ pending: ['restore'] })
    expect(input.escalation?.[0]).toEqual({
      metric: 'restore',
      at_percent: null,
      on_breach: true,
      notify: ['admin'],
      channels: ['ch1'],
      escalate_to: 'L3',
    })
    expect(metricsOf(m)).toEqual(['arrival', 'restore'])
  })

  it('sends an empty pause selection as every clock, and drops unnamed rows', () => {
    const m = toModel(null)
    expect(m.pauses).toEqual([{ state: 'pending', metrics: [] }])
    m.levels[0].rows.push({ metric: '', target: { kind: 'calendar', minutes: 1 }, ooh: null })
    const input = toInput(m)
    expect(input.pause_states).toEqual({ pending: ['*'] })
    expect(Object.keys(input.levels?.[0].targets ?? {})).toEqual(['response'])
  })
})

describe('a level fixed before the next scan', () => {
  const fix = { kind: 'working_days', days: 3, at: 'end_of_day' } as Target

  it('needs no target, sends the flag, and drops the fix target it replaces', () => {
    const m = toModel({ levels: [{ name: '中危', order: 1, targets: { fix, response: fix }, before_next_scan: false }] })
    expect(m.levels[0].beforeNextScan).toBe(false)
    setBeforeNextScan(m.levels[0], true)
    expect(m.levels[0].rows.map((r) => r.metric)).toEqual(['response'])
    m.levels[0].rows = []
    expect(levelChecks(m, t)).toEqual({})
    expect(toInput(m).levels?.[0]).toMatchObject({ name: '中危', targets: {}, before_next_scan: true })
    // The fix clock still runs, so pauses and escalation steps may name it.
    expect(metricsOf(m)).toEqual(['fix'])
    expect(toModel(toInput(m) as never).levels[0].beforeNextScan).toBe(true)
  })

  it('names the conflict with a fix target, and a level without it still needs one', () => {
    const m = toModel({ levels: [{ name: '中危', order: 1, targets: {}, before_next_scan: true }, { name: '低危', order: 2, targets: {} }] })
    m.levels[0].rows.push({ metric: 'fix', target: fix, ooh: null })
    expect(levelChecks(m, t)).toEqual({
      'levels[0].before_next_scan': '“下次扫描前修复”与修复时限（fix）只能选一个',
      'levels[1].targets': '至少需要一个时限',
    })
  })
})

describe('TargetInput', () => {
  it('edits minutes in the unit shown and switches kinds', async () => {
    const model = ref<Target>({ kind: 'calendar', minutes: 120 })
    const w = mount(TargetInput, {
      props: { modelValue: model.value, 'onUpdate:modelValue': (v: Target) => (model.value = v) },
      global: { plugins: [ElementPlus, i18n] },
    })
    const num = w.find('.yw-target-num input')
    expect((num.element as HTMLInputElement).value).toBe('2')
    await num.setValue('4')
    await num.trigger('blur')
    expect(model.value).toEqual({ kind: 'calendar', minutes: 240 })
    // Switching the unit converts what is shown, not the target: 4 h read as 240 min.
    await w.findAll('.yw-target-unit')[0].trigger('click')
    await w.setProps({ modelValue: { kind: 'calendar', minutes: 90 } })
    await nextTick()
    expect((w.find('.yw-target-num input').element as HTMLInputElement).value).toBe('90')
    await w.setProps({ modelValue: { kind: 'working_days', days: 3, at: 'end_of_day' } })
    await nextTick()
    expect((w.find('.yw-target-num input').element as HTMLInputElement).value).toBe('3')
  })
})

describe('metric order', () => {
  it('follows a ticket from response to resolve, custom metrics last', async () => {
    const { byMetric } = await import('@/sla')
    expect(byMetric({ resolve: 1, custom_b: 2, response: 3, arrival: 4, audit_report: 5 }).map(([m]) => m)).toEqual([
      'response',
      'arrival',
      'resolve',
      'audit_report',
      'custom_b',
    ])
  })
})
