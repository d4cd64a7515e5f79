// Security plans (检测计划) in the UI: the bureau plans each kind of security work per system; the
// periods of the plans are the tasks, done when vendor staff file a record with its report; the
// bureau may void a record, which then counts for nothing.
import { api, call, clean, type Query, type Schemas, upload } from '@/api/client'
import { bureauDate } from '@/format'
import type { Frequency } from '@/inspections'
import type { Role } from '@/session'

export type SecurityPlan = Schemas['SecurityPlan']
export type SecurityPlanInput = Schemas['SecurityPlanInput']
export type SecurityTask = Schemas['SecurityTask']
export type SecurityRecord = Schemas['SecurityRecord']
export type SecKind = Schemas['SecTaskKind']
export type SecStatus = Schemas['SecTaskStatus']

export const SEC_KINDS: readonly SecKind[] = ['scan', 'web_scan', 'pentest', 'baseline', 'risk_assessment']
export const SEC_STATUSES: readonly SecStatus[] = ['open', 'missed', 'done']
/** Security work is planned weekly at the most (the API refuses daily plans). */
export const SEC_FREQUENCIES: readonly Frequency[] = ['week', 'month', 'quarter', 'times_per_year', 'times_in_period']
/** What a report may be: PDF, office documents, images, text. */
export const REPORT_ACCEPT = '.pdf,.doc,.docx,.xls,.xlsx,.wps,.png,.jpg,.jpeg,.txt'

type TagType = 'success' | 'warning' | 'danger' | 'info' | 'primary'

export const SEC_STATUS_TYPE: Record<SecStatus, TagType> = { done: 'success', open: 'primary', missed: 'danger' }

/** The bureau plans and voids. */
export function mayPlan(role: Role | null): boolean {
  return role === 'admin'
}

/** Vendor staff (on their systems) and the bureau file the work done. */
export function mayFile(role: Role | null): boolean {
  return role === 'admin' || role === 'vendor_pm' || role === 'engineer'
}

/** A period still to be done offers 登记报告 to those who may file. */
export function fileable(task: Pick<SecurityTask, 'status'>, role: Role | null): boolean {
  return task.status !== 'done' && mayFile(role)
}

/** The first day of this year in Beijing, the task board's default start. */
export function yearStart(now: Date = new Date()): string {
  return `${bureauDate(0, now).slice(0, 4)}-01-01`
}

/** A task's row key: a plan has one period opening on a day. */
export function taskKey(t: Pick<SecurityTask, 'plan_id' | 'opens_on'>): string {
  return `${t.plan_id}:${t.opens_on}`
}

/** Not in the future, nor before this century (the date pickers of a record). */
export function notPerformable(d: Date): boolean {
  const day = `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`
  return day > bureauDate() || d.getFullYear() < 2000
}

export function fetchTasks(query: Query): Promise<SecurityTask[]> {
  return call(api.GET('/api/v1/security-tasks', { params: { query: clean(query) } }))
}

/** The fields of a record besides its report. */
export interface RecordFields {
  system_id: string
  kind: SecKind | ''
  performed_on: string
  summary: string
  import_id: string
}

/** Files a record: the report as `file` and the fields beside it (an empty import left out). */
export function fileRecord(file: File, f: RecordFields): Promise<SecurityRecord> {
  const fields: Record<string, string> = { system_id: f.system_id, kind: f.kind, performed_on: f.performed_on, summary: f.summary.trim() }
  if (f.import_id) fields.import_id = f.import_id
  return upload<SecurityRecord>('/api/v1/security-records', file, fields)
}

export function voidRecord(id: string, reason: string): Promise<SecurityRecord> {
  return call(api.POST('/api/v1/security-records/{id}/void', { params: { path: { id } }, body: { reason } }))
}
