// 等保测评 in the UI: each system's filing and assessments, the rectification items (整改项) an
// assessment leaves, the year's programme against the quota, and who may do what with them.
import { api, call, type Schemas } from '@/api/client'
import type { operations } from '@/api/schema'
import { bureauDate } from '@/format'
import type { Role } from '@/session'

export type DengbaoRecord = Schemas['DengbaoRecord']
export type RectItem = Schemas['RectItem']
export type ItemStatus = Schemas['ItemStatus']
export type RiskLevel = Schemas['RiskLevel']
export type Conclusion = Schemas['Conclusion']
export type Programme = Schemas['Programme']
export type ReportingClass = Schemas['ReportingClass']

/**
 * One assessment (测评) of a system. Declared here: the document's `Assessment`,
 * `AssessmentInput` and `RecordInput` are other features' schemas of the same names, so the
 * bodies below are named through their operations, as `secops.ts` does for `TransitionInput`.
 */
export interface DengbaoAssessment {
  id: string
  system_id: string
  /** `YYYY-MM-DD` */
  assessed_on: string
  /** 测评机构 */
  assessor: string
  score?: number | null
  conclusion: Conclusion
  notes?: string | null
  created_by: string
  created_at: string
}

export type AssessmentBody = operations['dengbao_add_assessment']['requestBody']['content']['application/json'] & {
  assessed_on: string
  assessor: string
  score: number | null
  conclusion: string
  notes: string | null
}

/** The filing as the bureau records it; an empty `next_due_on` means the cycle's day. */
export type RecordBody = operations['dengbao_put_record']['requestBody']['content']['application/json'] & {
  filing_number: string | null
  filed_on: string | null
  next_due_on: string | null
  /** How soon the system's security events are reported; empty: 其他 (4 hours). */
  reporting_class: string | null
  notes: string | null
}

/** What the bureau does to a system from its row or its drawer. */
export type DrawerAction = 'record' | 'assessment' | 'item'

export const CONCLUSIONS: readonly Conclusion[] = ['excellent', 'good', 'fair', 'poor']
export const RISKS: readonly RiskLevel[] = ['high', 'medium', 'low']
export const ITEM_STATUSES: readonly ItemStatus[] = ['open', 'done', 'closed']
/** Whose reporting deadline applies to a system's security events: 1, 2 or 4 hours. */
export const REPORTING_CLASSES: readonly ReportingClass[] = ['cii', 'state_organ', 'other']
/** 等保 levels a system may have (0: not graded). */
export const LEVELS = [0, 1, 2, 3, 4, 5] as const

type TagType = 'success' | 'warning' | 'danger' | 'info' | 'primary'

export const CONCLUSION_TYPE: Record<Conclusion, TagType> = { excellent: 'success', good: 'primary', fair: 'warning', poor: 'danger' }
export const RISK_TYPE: Record<RiskLevel, TagType> = { high: 'danger', medium: 'warning', low: 'info' }
export const ITEM_STATUS_TYPE: Record<ItemStatus, TagType> = { open: 'danger', done: 'primary', closed: 'success' }

/** The bureau keeps the filings, assessments, items and the quota. */
export function mayEdit(role: Role | null): boolean {
  return role === 'admin'
}

/**
 * The moves a role is offered for an item: the vendor's staff (and the bureau) report an open
 * item done; the bureau closes it or sends a reported one back.
 */
export function itemMoves(status: ItemStatus, role: Role | null): ItemStatus[] {
  const vendor = role === 'vendor_pm' || role === 'engineer'
  if (status === 'open') return role === 'admin' ? ['done', 'closed'] : vendor ? ['done'] : []
  if (status === 'done') return role === 'admin' ? ['closed', 'open'] : []
  return []
}

/** Moves the API refuses without a note: what was done, or why it goes back. */
export function needsNote(to: ItemStatus): boolean {
  return to === 'done' || to === 'open'
}

/** The current year in the bureau's time zone. */
export function currentYear(now: Date = new Date()): number {
  return Number(bureauDate(0, now).slice(0, 4))
}

/** The years the programme's selector offers: next year, this one and four before. */
export function yearChoices(current: number): number[] {
  return Array.from({ length: 6 }, (_, i) => current + 1 - i)
}

/** Progress as a whole percentage (may pass 100: more assessed than the quota). */
export function percent(progress: number): number {
  return Math.round(progress * 100)
}

/** A `YYYY-MM-DD` date `years` later (29 February falls back to the 28th). */
export function addYears(date: string, years: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number]
  const last = new Date(Date.UTC(y + years, m, 0)).getUTCDate()
  return `${y + years}-${String(m).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`
}

/** Records sorted for the list: overdue first, then by the next due day (none last), then by name. */
export function byDue(rows: readonly DengbaoRecord[], name: (id: string) => string): DengbaoRecord[] {
  return [...rows].sort(
    (a, b) =>
      Number(b.overdue) - Number(a.overdue) ||
      (a.next_due_on ?? '9999').localeCompare(b.next_due_on ?? '9999') ||
      name(a.system_id).localeCompare(name(b.system_id), 'zh-CN'),
  )
}

export async function fetchAssessments(systemId: string): Promise<DengbaoAssessment[]> {
  const rows = await call(api.GET('/api/v1/dengbao/systems/{system_id}/assessments', { params: { path: { system_id: systemId } } }))
  return rows as unknown as DengbaoAssessment[]
}

export async function addAssessment(systemId: string, body: AssessmentBody): Promise<DengbaoAssessment> {
  const saved = await call(api.POST('/api/v1/dengbao/systems/{system_id}/assessments', { params: { path: { system_id: systemId } }, body }))
  return saved as unknown as DengbaoAssessment
}

export function putRecord(systemId: string, body: RecordBody): Promise<DengbaoRecord> {
  return call(api.PUT('/api/v1/dengbao/systems/{system_id}', { params: { path: { system_id: systemId } }, body }))
}
