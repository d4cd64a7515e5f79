import { flushPromises, mount } from '@vue/test-utils'
import ElementPlus from 'element-plus'
import { beforeEach, describe, expect, it, vi } from 'vitest'

import {
  type BackupPolicy,
  humanSize,
  mayPlanBackups,
  mayRecordBackups,
  minutesText,
  policyInput,
  policyLabel,
  policySchedule,
  recordDrill,
  renamedErrors,
  runWindow,
  targetsText,
  taskKey,
  toBytes,
  toPolicyModel,
  verdictTags,
} from '@/backups'
import { i18n } from '@/i18n'
import BackupPolicyForm from '@/views/continuity/BackupPolicyForm.vue'

import { fetchMock, json, sent } from './setup'

beforeEach(() => {
  fetchMock.mockReset()
  document.body.innerHTML = ''
})

/** A policy as the API answers it. */
function policy(over: Partial<BackupPolicy> = {}): BackupPolicy {
  return {
    id: 'bp1',
    system_id: 's1',
    unit_id: 'u1',
    name: 'Oracle 全库备份',
    object: 'database',
    method: 'incremental',
    frequency: { every: 'week', weekdays: ['mon', 'thu'] } as never,
    frequency_text: '每周一、四',
    calendar_id: 'c1',
    holiday_rule: 'skip',
    start_date: '2026-01-01',
    end_date: null,
    retention_days: 180,
    location: 'offsite',
    rpo_minutes: 1440,
    rto_minutes: 240,
    drill_frequency: { every: 'quarter', month: 2, day: 10 } as never,
    drill_frequency_text: '每季度第 2 个月 10 日',
    active: true,
    notes: null,
    created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-01-01T00:00:00Z',
    last_success_at: null,
    missed: false,
    current_period: null,
    ...over,
  }
}

describe('sizes and durations as people read them', () => {
  it('gives a copy’s size in binary units, nothing when unknown', () => {
    expect(humanSize(0)).toBe('0 B')
    expect(humanSize(123)).toBe('123 B')
    expect(humanSize(1536)).toBe('1.5 KB')
    expect(humanSize(10 * 1024 ** 3)).toBe('10 GB')
    expect(humanSize(3.25 * 1024 ** 4)).toBe('3.3 TB')
    expect(humanSize(null)).toBe('')
    expect(humanSize(undefined)).toBe('')
  })

  it('turns a size typed in MB, GB or TB into whole bytes', () => {
    expect(toBytes(1.5, 'GB')).toBe(1_610_612_736)
    expect(toBytes(2, 'MB')).toBe(2_097_152)
    expect(toBytes(1, 'TB')).toBe(1024 ** 4)
    expect(toBytes(null, 'GB')).toBeNull()
  })

  it('reads minutes as minutes, hours and days in both languages', () => {
    expect(minutesText(15, false)).toBe('15 分钟')
    expect(minutesText(0, false)).toBe('0 分钟')
    expect(minutesText(60, false)).toBe('1 小时')
    expect(minutesText(90, false)).toBe('1 小时 30 分')
    expect(minutesText(1500, false)).toBe('1 天 1 小时')
    expect(minutesText(90, true)).toBe('1 h 30 min')
    expect(minutesText(2880, true)).toBe('2 d')
    expect(minutesText(null, true)).toBe('—')
  })

  it('shows the targets set, and a dash when none is', () => {
    expect(targetsText({ rpo_minutes: 15, rto_minutes: 240 }, false)).toBe('RPO 15 分钟 / RTO 4 小时')
    expect(targetsText({ rpo_minutes: 0, rto_minutes: null }, true)).toBe('RPO 0 min')
    expect(targetsText({ rpo_minutes: null, rto_minutes: null }, false)).toBe('—')
  })
})

describe('who does what with backups', () => {
  it('leaves policies and voids to the bureau, records to the bureau and the vendor’s staff', () => {
    expect(mayPlanBackups('admin')).toBe(true)
    for (const r of ['vendor_pm', 'engineer', 'auditor', 'unit_user', null] as const) expect(mayPlanBackups(r)).toBe(false)
    for (const r of ['admin', 'vendor_pm', 'engineer'] as const) expect(mayRecordBackups(r)).toBe(true)
    for (const r of ['auditor', 'unit_user', 'security_admin', null] as const) expect(mayRecordBackups(r)).toBe(false)
  })
})

describe('a restore drill’s verdict', () => {
  it('says passed, then each target judged', () => {
    expect(verdictTags({ passed: true, restored: true, rto_met: true, rpo_met: true })).toEqual([
      { key: 'passed', type: 'success' },
      { key: 'rtoMet', type: 'success' },
      { key: 'rpoMet', type: 'success' },
    ])
  })

  it('names the target missed, and leaves a target not set unjudged', () => {
    expect(verdictTags({ passed: false, restored: true, rto_met: false, rpo_met: null }).map((v) => v.key)).toEqual(['failed', 'rtoMissed'])
    expect(verdictTags({ passed: false, restored: false, rto_met: false, rpo_met: false }).map((v) => v.key)).toEqual([
      'failed',
      'notRestored',
      'rtoMissed',
      'rpoMissed',
    ])
  })
})

describe('a policy’s form', () => {
  it('starts a new policy daily, on days off too, with a month’s retention and no drills', () => {
    const m = { ...toPolicyModel(null), system_id: 's1' }
    expect(policyInput(m, policySchedule(null))).toEqual({
      system_id: 's1',
      name: null,
      object: 'database',
      method: 'full',
      frequency: { every: 'day' },
      calendar_id: null,
      holiday_rule: 'keep',
      start_date: null,
      end_date: null,
      retention_days: 30,
      location: 'local',
      rpo_minutes: null,
      rto_minutes: null,
      drill_frequency: null,
      active: true,
      notes: null,
    })
  })

  it('sends a policy back as it was read', () => {
    const p = policy()
    expect(policyInput(toPolicyModel(p), policySchedule(p))).toEqual({
      system_id: 's1',
      name: 'Oracle 全库备份',
      object: 'database',
      method: 'incremental',
      frequency: { every: 'week', weekdays: ['mon', 'thu'] },
      calendar_id: 'c1',
      holiday_rule: 'skip',
      start_date: '2026-01-01',
      end_date: null,
      retention_days: 180,
      location: 'offsite',
      rpo_minutes: 1440,
      rto_minutes: 240,
      drill_frequency: { every: 'quarter', month: 2, day: 10 },
      active: true,
      notes: null,
    })
    expect(toPolicyModel(policy({ drill_frequency: null })).drill).toBeNull()
  })

  it('reads the schedule errors the API names frequency… as the editors’ recurrence…', () => {
    const errors = { frequency: 'a', 'frequency.day': 'b', 'drill_frequency.every': 'c', frequency_text: 'x', retention_days: 'd' }
    expect(renamedErrors(errors, 'frequency', 'recurrence')).toEqual({ recurrence: 'a', 'recurrence.day': 'b' })
    expect(renamedErrors(errors, 'drill_frequency', 'recurrence')).toEqual({ 'recurrence.every': 'c' })
  })

  it('names a policy with its system where one is chosen', () => {
    expect(policyLabel(policy(), (id) => (id === 's1' ? '不动产登记系统' : id))).toBe('不动产登记系统 · Oracle 全库备份')
  })
})

describe('recording a run and a drill', () => {
  it('starts a run half an hour before now, never before midnight in Beijing', () => {
    expect(runWindow(new Date('2026-05-01T10:00:00Z'))).toEqual({
      started_at: '2026-05-01T17:30:00+08:00',
      finished_at: '2026-05-01T18:00:00+08:00',
    })
    expect(runWindow(new Date('2026-04-30T16:10:00Z'))).toEqual({
      started_at: '2026-05-01T00:00:00+08:00',
      finished_at: '2026-05-01T00:10:00+08:00',
    })
  })

  it('keys a period by its policy, kind and first day', () => {
    expect(taskKey({ policy_id: 'bp1', kind: 'drill', opens_on: '2026-04-01' })).toBe('bp1:drill:2026-04-01')
  })

  it('sends a drill as multipart with its report, leaving out numbers not given', async () => {
    fetchMock.mockResolvedValueOnce(json(201, { id: 'd1' }))
    const file = new File(['%PDF-1.4'], '恢复演练报告.pdf', { type: 'application/pdf' })
    const fields = { policy_id: 'bp1', performed_on: '2026-05-01', restored: false, restore_minutes: 45, data_loss_minutes: null, summary: ' 恢复失败 ' }
    expect(await recordDrill(file, fields)).toEqual({ id: 'd1' })
    const [path, init] = fetchMock.mock.calls[0]!
    expect(path).toBe('/api/v1/restore-drills')
    const form = init!.body as FormData
    expect((form.get('file') as File).name).toBe('恢复演练报告.pdf')
    expect(Object.fromEntries([...form.entries()].filter(([k]) => k !== 'file'))).toEqual({
      policy_id: 'bp1',
      performed_on: '2026-05-01',
      restored: 'false',
      summary: '恢复失败',
      restore_minutes: '45',
    })
  })
})

describe('BackupPolicyForm', () => {
  const global = { plugins: [ElementPlus, i18n], stubs: { transition: false, 'transition-group': false } }
  const errorsShown = () => [...document.body.querySelectorAll('.el-form-item__error')].map((e) => e.textContent?.trim() ?? '')

  it('sends a new daily policy with its drills, and shows the API’s errors on the named fields', async () => {
    fetchMock.mockImplementation(async (input: RequestInfo | URL, init?: RequestInit) => {
      const req = input instanceof Request ? input : new Request(String(input), init)
      if (req.method === 'GET') return json(200, { items: [], total: 0, page: 1, page_size: 500 })
      return json(422, {
        code: 'validation',
        message: '请检查标出的字段',
        request_id: 'r',
        field_errors: [
          { field: 'frequency.every', message: '频率有误' },
          { field: 'drill_frequency.every', message: '演练最多每月一次' },
          { field: 'retention_days', message: '保留期限有误' },
        ],
      })
    })
    const w = mount(BackupPolicyForm, { props: { modelValue: false, record: null, systems: [] }, global, attachTo: document.body })
    await w.setProps({ modelValue: true })
    await flushPromises()
    const testid = (id: string) => document.body.querySelector<HTMLElement>(`[data-testid="${id}"]`)
    for (const id of ['backup-policy-system', 'backup-policy-frequency', 'backup-policy-start', 'backup-policy-retention', 'backup-policy-drill'])
      expect(testid(id), id).not.toBeNull()
    expect(testid('backup-policy-frequency')?.textContent).toContain(i18n.global.t('inspections.frequencies.day'))
    expect(testid('backup-policy-drill-frequency')).toBeNull()
    testid('backup-policy-drill')!.click()
    await flushPromises()
    expect(testid('backup-policy-drill-frequency')?.textContent).toContain(i18n.global.t('inspections.frequencies.quarter'))
    testid('backup-policy-save')!.click()
    await flushPromises()
    await new Promise((r) => setTimeout(r, 150))
    const calls = await Promise.all(fetchMock.mock.calls.map((_, i) => sent(i)))
    const post = calls.filter((c) => c.method === 'POST')
    expect(post.map((c) => c.path)).toEqual(['/api/v1/backup-policies'])
    expect(post[0]!.body).toMatchObject({
      frequency: { every: 'day' },
      holiday_rule: 'keep',
      drill_frequency: { every: 'quarter', month: 1, day: 1 },
      retention_days: 30,
    })
    await vi.waitFor(() => expect(errorsShown().sort()).toEqual(['保留期限有误', '演练最多每月一次', '频率有误'].sort()), { timeout: 3000 })
    expect(w.emitted('saved')).toBeUndefined()
  }, 20_000)
})
