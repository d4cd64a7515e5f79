// Backups in the UI (连续性 → 备份): the bureau's policies — what a system backs up, how, how often
// on the calendar, how long and where the copies are kept, the RPO/RTO targets — the runs
// recorded against them (by hand or pushed by a backup tool), restore drills judged against the
// targets, and the periods each policy falls due in. Policies are the bureau's; runs and drills
// are evidence, never edited: the bureau voids a wrong one with a reason.
import { api, call, clean, type Query, type Schemas, upload } from '@/api/client'
import { bureauDate, toPickerInstant } from '@/format'
import {
  emptyRecurrence,
  type Frequency,
  FREQUENCIES,
  fromRecurrence,
  type RecurrenceModel,
  type Schedule,
  scheduleInput,
  toRecurrence,
  toSchedule,
} from '@/inspections'
import type { Role } from '@/session'

export type BackupPolicy = Schemas['BackupPolicy']
export type BackupPolicyInput = Schemas['BackupPolicyInput']
export type BackupTask = Schemas['BackupTask']
export type BackupRun = Schemas['BackupRun']
export type BackupRunInput = Schemas['BackupRunInput']
export type RestoreDrill = Schemas['RestoreDrill']
export type BackupObject = Schemas['BackupObject']
export type BackupMethod = Schemas['BackupMethod']
export type BackupLocation = Schemas['BackupLocation']
export type RunResult = Schemas['RunResult']
export type RunSource = Schemas['RunSource']
export type BackupTaskStatus = Schemas['BackupTaskStatus']
export type BackupTaskKind = Schemas['BackupTaskKind']

export const BACKUP_OBJECTS: readonly BackupObject[] = ['database', 'files', 'configuration', 'vm']
export const BACKUP_METHODS: readonly BackupMethod[] = ['full', 'incremental', 'differential', 'snapshot', 'replication', 'log_archive']
export const BACKUP_LOCATIONS: readonly BackupLocation[] = ['local', 'offsite', 'buyer']
export const RUN_RESULTS: readonly RunResult[] = ['success', 'failed']
export const RUN_SOURCES: readonly RunSource[] = ['manual', 'import', 'tool']
export const BACKUP_TASK_STATUSES: readonly BackupTaskStatus[] = ['open', 'missed', 'done']
export const BACKUP_TASK_KINDS: readonly BackupTaskKind[] = ['run', 'drill']
/** A backup may fall due as often as every day. */
export const BACKUP_FREQUENCIES: readonly Frequency[] = FREQUENCIES
/** Restore drills are monthly at the most (the API refuses more often). */
export const DRILL_FREQUENCIES: readonly Frequency[] = ['month', 'quarter', 'times_per_year']
/** The longest retention a policy may name (domain::backups::MAX_RETENTION_DAYS). */
export const MAX_RETENTION_DAYS = 3650
/** RPO and RTO targets up to a month, in minutes (domain::backups::MAX_TARGET_MINUTES). */
export const MAX_TARGET_MINUTES = 31 * 24 * 60
/** What a drill report may be: PDF, office documents, images, text. */
export const DRILL_REPORT_ACCEPT = '.pdf,.doc,.docx,.xls,.xlsx,.wps,.png,.jpg,.jpeg,.txt'

type TagType = 'success' | 'warning' | 'danger' | 'info' | 'primary'

export const TASK_STATUS_TYPE: Record<BackupTaskStatus, TagType> = { done: 'success', open: 'primary', missed: 'danger' }
export const RESULT_TYPE: Record<RunResult, TagType> = { success: 'success', failed: 'danger' }

/** The bureau sets policies and voids runs and drills. */
export function mayPlanBackups(role: Role | null): boolean {
  return role === 'admin'
}

/** The bureau and the vendor's staff (on their systems) record runs and drills. */
export function mayRecordBackups(role: Role | null): boolean {
  return role === 'admin' || role === 'vendor_pm' || role === 'engineer'
}

/** A byte count the way people read it: `123 B`, `1.5 KB`, `10 GB` (binary units). */
export function humanSize(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes) || bytes < 0) return ''
  const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB']
  let i = 0
  let v = bytes
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024
    i++
  }
  return `${i === 0 ? Math.round(v) : Number(v.toFixed(1))} ${units[i]}`
}

/** The units a size is typed in. */
export const SIZE_UNITS = ['MB', 'GB', 'TB'] as const
export type SizeUnit = (typeof SIZE_UNITS)[number]

/** A size as typed (`1.5` GB) to whole bytes; nothing typed → null. */
export function toBytes(value: number | null | undefined, unit: SizeUnit): number | null {
  if (value === null || value === undefined || !Number.isFinite(value)) return null
  const power = { MB: 2, GB: 3, TB: 4 }[unit]
  return Math.round(value * 1024 ** power)
}

/** Minutes as `15 分钟`, `1 小时 30 分`, `2 天 4 小时` (`15 min`, `1 h 30 min`, `2 d 4 h`); none → `—`. */
export function minutesText(minutes: number | null | undefined, english: boolean): string {
  if (minutes === null || minutes === undefined) return '—'
  const d = Math.floor(minutes / 1440)
  const h = Math.floor((minutes % 1440) / 60)
  const m = minutes % 60
  const [D, H, M] = english ? [' d', ' h', ' min'] : [' 天', ' 小时', ' 分']
  if (d) return `${d}${D}` + (h ? ` ${h}${H}` : '')
  if (h) return `${h}${H}` + (m ? ` ${m}${M}` : '')
  return english ? `${m} min` : `${m} 分钟`
}

/** A policy's targets in one cell: `RPO 15 分钟 / RTO 4 小时`; none set → `—`. */
export function targetsText(p: Pick<BackupPolicy, 'rpo_minutes' | 'rto_minutes'>, english: boolean): string {
  const parts: string[] = []
  if (p.rpo_minutes !== null && p.rpo_minutes !== undefined) parts.push(`RPO ${minutesText(p.rpo_minutes, english)}`)
  if (p.rto_minutes !== null && p.rto_minutes !== undefined) parts.push(`RTO ${minutesText(p.rto_minutes, english)}`)
  return parts.length ? parts.join(' / ') : '—'
}

/** How a policy is named where one is chosen: `系统 · 策略名`. */
export function policyLabel(p: Pick<BackupPolicy, 'system_id' | 'name'>, systemName: (id: string) => string): string {
  return `${systemName(p.system_id)} · ${p.name}`
}

/**
 * A drill's verdict as tags (keys of `continuity.backups.verdicts`): passed or not, then whether
 * it restored, then each target judged. A target not set is not judged and gets no tag.
 */
export function verdictTags(
  d: Pick<RestoreDrill, 'passed' | 'restored' | 'rto_met' | 'rpo_met'>,
): { key: string; type: TagType }[] {
  const tags: { key: string; type: TagType }[] = [d.passed ? { key: 'passed', type: 'success' } : { key: 'failed', type: 'danger' }]
  if (!d.restored) tags.push({ key: 'notRestored', type: 'danger' })
  if (d.rto_met === true) tags.push({ key: 'rtoMet', type: 'success' })
  if (d.rto_met === false) tags.push({ key: 'rtoMissed', type: 'danger' })
  if (d.rpo_met === true) tags.push({ key: 'rpoMet', type: 'success' })
  if (d.rpo_met === false) tags.push({ key: 'rpoMissed', type: 'danger' })
  return tags
}

/**
 * The API names a policy's schedule errors `frequency…` and `drill_frequency…`; the shared
 * schedule editors read `recurrence…`. The errors under `from`, renamed to `to`.
 */
export function renamedErrors(errors: Record<string, string>, from: string, to: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(errors)) {
    if (k === from) out[to] = v
    else if (k.startsWith(`${from}.`)) out[to + k.slice(from.length)] = v
  }
  return out
}

/** A new policy backs up every day, on days off too. */
const daily = (): RecurrenceModel => ({ ...emptyRecurrence(), frequency: 'day' })
/** A new drill plan: once a quarter. */
export const quarterlyDrill = (): RecurrenceModel => ({ ...emptyRecurrence(), frequency: 'quarter' })

/** A policy's schedule to edit with `PlanSchedule`; a new one is daily and keeps days off. */
export function policySchedule(p: BackupPolicy | null): Schedule {
  if (!p) return { ...toSchedule(null, daily), holiday_rule: 'keep' }
  return toSchedule({ ...p, recurrence: p.frequency, end_date: p.end_date ?? null })
}

/** What the policy form edits besides its schedule. */
export interface PolicyModel {
  system_id: string
  name: string
  object: BackupObject | ''
  method: BackupMethod | ''
  retention_days: number | null
  location: BackupLocation | ''
  rpo_minutes: number | null
  rto_minutes: number | null
  /** The drill plan, or null when the policy plans no drills. */
  drill: RecurrenceModel | null
  active: boolean
  notes: string
}

export function toPolicyModel(p: BackupPolicy | null): PolicyModel {
  return {
    system_id: p?.system_id ?? '',
    name: p?.name ?? '',
    object: p?.object ?? 'database',
    method: p?.method ?? 'full',
    retention_days: p?.retention_days ?? 30,
    location: p?.location ?? 'local',
    rpo_minutes: p?.rpo_minutes ?? null,
    rto_minutes: p?.rto_minutes ?? null,
    drill: p?.drill_frequency ? fromRecurrence(p.drill_frequency) : null,
    active: p?.active ?? true,
    notes: p?.notes ?? '',
  }
}

/** The body of a policy: the model, its schedule as `frequency`, and its drill plan. */
export function policyInput(m: PolicyModel, s: Schedule): BackupPolicyInput {
  const { recurrence, ...dates } = scheduleInput(s)
  const text = (v: string) => v.trim() || null
  return {
    system_id: m.system_id || null,
    name: text(m.name),
    object: m.object || null,
    method: m.method || null,
    frequency: recurrence,
    ...dates,
    retention_days: m.retention_days,
    location: m.location || null,
    rpo_minutes: m.rpo_minutes,
    rto_minutes: m.rto_minutes,
    drill_frequency: m.drill ? (toRecurrence(m.drill) as never) : null,
    active: m.active,
    notes: text(m.notes),
  }
}

/**
 * The times a run form starts with: it finished now and started half an hour before — never
 * before today's midnight in Beijing, so a success counts for today's period.
 */
export function runWindow(now: Date = new Date()): { started_at: string; finished_at: string } {
  const midnight = Date.parse(`${bureauDate(0, now)}T00:00:00+08:00`)
  const start = Math.max(now.getTime() - 30 * 60_000, midnight)
  return { started_at: toPickerInstant(new Date(start).toISOString()), finished_at: toPickerInstant(now.toISOString()) }
}

/** A task's row key: a policy has one period of a kind opening on a day. */
export function taskKey(t: Pick<BackupTask, 'policy_id' | 'kind' | 'opens_on'>): string {
  return `${t.policy_id}:${t.kind}:${t.opens_on}`
}

export function fetchBackupTasks(query: Query): Promise<BackupTask[]> {
  return call(api.GET('/api/v1/backup-tasks', { params: { query: clean(query) } }))
}

export function recordRun(body: BackupRunInput): Promise<BackupRun> {
  return call(api.POST('/api/v1/backup-runs', { body }))
}

/** The fields of a drill besides its report. */
export interface DrillFields {
  policy_id: string
  performed_on: string
  restored: boolean
  restore_minutes: number | null
  data_loss_minutes: number | null
  summary: string
}

/** Records a drill: the report as `file` and the fields beside it (a number left empty is not sent). */
export function recordDrill(file: File, f: DrillFields): Promise<RestoreDrill> {
  const fields: Record<string, string> = {
    policy_id: f.policy_id,
    performed_on: f.performed_on,
    restored: String(f.restored),
    summary: f.summary.trim(),
  }
  if (f.restore_minutes !== null) fields.restore_minutes = String(f.restore_minutes)
  if (f.data_loss_minutes !== null) fields.data_loss_minutes = String(f.data_loss_minutes)
  return upload<RestoreDrill>('/api/v1/restore-drills', file, fields)
}

export function voidRun(id: string, reason: string): Promise<BackupRun> {
  return call(api.POST('/api/v1/backup-runs/{id}/void', { params: { path: { id } }, body: { reason } }))
}

export function voidDrill(id: string, reason: string): Promise<RestoreDrill> {
  return call(api.POST('/api/v1/restore-drills/{id}/void', { params: { path: { id } }, body: { reason } }))
}

export function drillFileUrl(id: string): string {
  return `/api/v1/restore-drills/${encodeURIComponent(id)}/file`
}
