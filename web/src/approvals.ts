// Requests for the bureau's approval (DESIGN.md: one approval mechanism). Changes the vendor makes
// to what it is measured by (maintenance windows, monitors, plans, ticket pauses and outage
// causes) answer 202 with an Approval instead of the changed record: the screens must say that
// the change was filed, never that it was saved.
import { ElMessage, ElMessageBox } from 'element-plus'
import { reactive } from 'vue'

import { api, call, type Schemas } from '@/api/client'
import { formatInstant } from '@/format'
import { i18n } from '@/i18n'
import { fromRecurrence } from '@/inspections'
import { maintenanceText, type Maintenance } from '@/monitoring'
import type { Role } from '@/session'

export type Approval = Schemas['Approval']
export type ApprovalKind = Schemas['ApprovalKind']
export type ApprovalStatus = Schemas['ApprovalStatus']

export const APPROVAL_KINDS: readonly ApprovalKind[] = [
  'maintenance_window',
  'monitor_update',
  'monitor_delete',
  'plan_update',
  'plan_delete',
  'ticket_pause',
  'ticket_outage',
  'assessment_appeal',
  'vulnerability_exception',
  'vulnerability_pause',
]
export const APPROVAL_STATUSES: readonly ApprovalStatus[] = ['pending', 'approved', 'rejected', 'withdrawn']

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** What tells a request from the records the same endpoints answer otherwise. */
type ApprovalLike = { requested_by: string; can_decide: boolean; requester_role: string }

/**
 * Whether an answer is a request filed for approval rather than the changed record. Narrows the
 * union the generated client gives for endpoints that answer either (200/201 or 202).
 */
export function isApproval<T>(v: T): v is Extract<T, ApprovalLike> {
  if (!isRecord(v)) return false
  return (
    typeof v.id === 'string' &&
    typeof v.requested_by === 'string' &&
    typeof v.can_decide === 'boolean' &&
    (APPROVAL_KINDS as readonly unknown[]).includes(v.kind) &&
    (APPROVAL_STATUSES as readonly unknown[]).includes(v.status)
  )
}

/** A request's one-line title in the UI's language. */
export function approvalTitle(a: Pick<Approval, 'title' | 'title_en'>): string {
  return i18n.global.locale.value === 'en' && a.title_en ? a.title_en : a.title
}

/** Says that a change was filed for the bureau's approval, not made. */
export function announceFiled(): void {
  ElMessage({ type: 'info', message: i18n.global.t('approvals.filed'), duration: 5000, customClass: 'yw-filed' })
}

/**
 * Tells the user what became of a change: `done` (the message, e.g. 已保存) when it took effect,
 * or that it was filed for the bureau's approval. True when it took effect.
 */
export function announce<T>(result: T, done: string): result is Exclude<T, ApprovalLike> {
  if (isApproval(result)) {
    announceFiled()
    return false
  }
  ElMessage.success(done)
  return true
}

/** Asks, then takes the caller's own pending request back; the withdrawn request, or null. */
export async function withdraw(a: Approval): Promise<Approval | null> {
  const t = i18n.global.t
  try {
    await ElMessageBox.confirm(t('approvals.withdrawConfirm', { title: approvalTitle(a) }), t('approvals.withdrawTitle'), {
      type: 'warning',
      confirmButtonText: t('approvals.withdraw'),
      cancelButtonText: t('common.cancel'),
    })
  } catch {
    return null
  }
  try {
    const done = await call(api.POST('/api/v1/approvals/{id}/withdraw', { params: { path: { id: a.id } } }))
    ElMessage.success(t('approvals.withdrawnMessage'))
    return done
  } catch (e) {
    ElMessage.error(e instanceof Error ? e.message : String(e))
    return null
  }
}

export type TagType = 'success' | 'warning' | 'danger' | 'info' | 'primary'

export function approvalStatusType(s: ApprovalStatus): TagType {
  switch (s) {
    case 'pending':
      return 'warning'
    case 'approved':
      return 'success'
    case 'rejected':
      return 'danger'
    default:
      return 'info'
  }
}

/** Who gets the "待我审批" tab (they decide), and who gets "我的申请" (they ask). */
export function decides(role: Role | null): boolean {
  return role === 'admin' || role === 'unit_user'
}

export function asks(role: Role | null): boolean {
  return role === 'vendor_pm' || role === 'engineer'
}

/** Whether the caller may take a request back: their own, still pending. */
export function mayWithdraw(a: Pick<Approval, 'status' | 'requested_by'>, userId: string | null | undefined): boolean {
  return a.status === 'pending' && !!userId && a.requested_by === userId
}

// ---------------------------------------------------------------------------------------------
// What a request changes, as readable key/value rows: the proposal beside what stood when asked.

/** Keys that say nothing to the person deciding (ids, bookkeeping, live state). */
const HIDDEN = new Set([
  'id',
  'assessment_id',
  'system_id',
  'unit_id',
  'approval_id',
  'created_at',
  'updated_at',
  'reason',
  'requested_by',
  'approved_by',
  'ended_at',
  'recurrence_text',
  'restricted',
  'state',
  'state_since',
  'last_checked_at',
  'last_error',
  'last_latency_ms',
  'last_ok',
  'cert',
])

/** Values that are labels of a known set, by key: the i18n prefixes that name them, first found wins. */
const ENUMS: Record<string, string[]> = {
  // A ticket's states, then a finding's (误报, 风险接受 …).
  to: ['tickets.status', 'secops.status'],
  status: ['tickets.status', 'secops.status'],
  statuses: ['secops.status'],
  severity: ['secops.severity'],
  cause: ['tickets.cause'],
  holiday_rule: ['inspections.holidayRules'],
  assignee_role: ['roles'],
  kind: ['monitoring.kinds'],
}

export interface ChangeRow {
  key: string
  label: string
  proposed: string
  current: string
  changed: boolean
}

export interface Translator {
  t: (key: string, named?: Record<string, unknown>) => string
  te: (key: string) => boolean
  english: boolean
}

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/

function isMaintenance(v: unknown): v is Maintenance {
  return isRecord(v) && (v.repeat === 'once' || v.repeat === 'weekly')
}

/** A plan's recurrence in words: `每周（一、四）`, `每月 1 日`, `每年 4 次`. */
export function recurrenceText(v: unknown, tr: Translator): string {
  const r = fromRecurrence(v)
  const freq = tr.t(`inspections.frequencies.${r.frequency}`)
  const sep = tr.english ? ', ' : '、'
  switch (r.frequency) {
    case 'week':
      return `${freq}（${r.weekdays.map((d) => tr.t(`inspections.weekday.${d}`)).join(sep)}）`
    case 'month':
      return `${freq} · ${tr.t('approvals.dayN', { n: r.day })}`
    case 'quarter':
      return `${freq} · ${tr.t('approvals.monthDayN', { m: r.month, n: r.day })}`
    case 'times_per_year':
    case 'times_in_period':
      return `${freq} · ${tr.t('approvals.timesN', { n: r.times })}`
    default:
      return freq
  }
}

/** The findings a vulnerability request covers, one a line: `高危 标题（10.0.0.1:443）`. */
function findingsText(v: unknown[], tr: Translator): string {
  const lines = v.filter(isRecord).map((f) => {
    const place = typeof f.host === 'string' && f.host ? `${f.host}${typeof f.port === 'number' ? `:${f.port}` : ''}` : ''
    const where = place ? (tr.english ? ` (${place})` : `（${place}）`) : ''
    const severity = typeof f.severity === 'string' ? valueText('severity', f.severity, tr) + ' ' : ''
    return `${severity}${typeof f.title === 'string' ? f.title : ''}${where}`
  })
  return lines.length ? lines.join('\n') : '—'
}

/** One value as a person reads it. */
export function valueText(key: string, v: unknown, tr: Translator): string {
  if (v === null || v === undefined || v === '') return '—'
  if (key === 'recurrence') return recurrenceText(v, tr)
  if (key === 'window' && isMaintenance(v)) return maintenanceText(v, tr.english)
  if (typeof v === 'boolean') return tr.t(v ? 'common.yes' : 'common.no')
  if (key === 'findings' && Array.isArray(v)) return findingsText(v, tr)
  if (typeof v === 'string') {
    const prefix = (ENUMS[key] ?? []).find((p) => tr.te(`${p}.${v}`))
    if (prefix) return tr.t(`${prefix}.${v}`)
    if (INSTANT.test(v)) return formatInstant(v)
    return v
  }
  if (typeof v === 'number') return String(v)
  if (Array.isArray(v)) {
    if (v.length === 0) return '—'
    return v
      .map((x) =>
        isRecord(x) && 'from' in x && 'to' in x
          ? x.from === x.to
            ? String(x.from)
            : `${x.from}-${x.to}`
          : valueText(typeof x === 'string' && ENUMS[key] ? key : '', x, tr),
      )
      .join(tr.english ? ', ' : '、')
  }
  if (isRecord(v)) {
    const parts = Object.entries(v)
      .filter(([, x]) => x !== null && x !== undefined && x !== '')
      .map(([k, x]) => `${k}: ${valueText(k, x, tr)}`)
    return parts.length ? parts.join('; ') : '—'
  }
  return String(v)
}

/** Nested objects become dotted keys (`expect.method`), except values read as one (a window). */
function flatten(o: Record<string, unknown>, prefix = '', out = new Map<string, unknown>()): Map<string, unknown> {
  for (const [k, v] of Object.entries(o)) {
    if (!prefix && HIDDEN.has(k)) continue
    const key = prefix ? `${prefix}.${k}` : k
    if (isRecord(v) && !isMaintenance(v) && k !== 'recurrence' && k !== 'headers') flatten(v, key, out)
    else out.set(key, v)
  }
  return out
}

function labelOf(key: string, tr: Translator): string {
  const full = `approvals.fields.${key.replace(/\./g, '_')}`
  if (tr.te(full)) return tr.t(full)
  const last = key.split('.').at(-1) ?? key
  const short = `approvals.fields.${last}`
  return tr.te(short) ? tr.t(short) : key
}

function empty(v: unknown): boolean {
  return v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0)
}

function same(a: unknown, b: unknown): boolean {
  if (empty(a) && empty(b)) return true
  return JSON.stringify(a) === JSON.stringify(b)
}

/**
 * The rows of a request: every field of the proposal and of what stood, in the proposal's order,
 * each as text; `changed` where they differ. A removal has no proposal (everything goes), a new
 * window nothing current.
 */
export function changeRows(a: Pick<Approval, 'proposed' | 'current'>, tr: Translator): ChangeRow[] {
  const proposed = isRecord(a.proposed) ? flatten(a.proposed) : new Map<string, unknown>()
  const current = isRecord(a.current) ? flatten(a.current) : new Map<string, unknown>()
  // A move names the state it goes to; what stood is the state it was in: one row.
  if (proposed.has('to') && !proposed.has('status') && current.has('status') && !current.has('to')) {
    current.set('to', current.get('status'))
    current.delete('status')
  }
  // Findings moved together stood in their own states (`statuses`): one when they agree.
  const statuses = current.get('statuses')
  if (proposed.has('to') && Array.isArray(statuses) && !current.has('to')) {
    current.set('to', new Set(statuses).size === 1 ? statuses[0] : [...new Set(statuses)])
    current.delete('statuses')
  }
  const keys = [...proposed.keys(), ...[...current.keys()].filter((k) => !proposed.has(k))]
  const removal = proposed.size === 0
  const fresh = current.size === 0
  return keys.map((key) => {
    const p = proposed.get(key)
    const c = current.get(key)
    // A field the proposal names without a value takes its default (a plan's calendar, start date).
    const defaulted = proposed.has(key) && empty(p) && !empty(c)
    return {
      key,
      label: labelOf(key, tr),
      proposed: removal ? '' : defaulted ? tr.t('approvals.defaultValue') : valueText(key.split('.').at(-1) ?? key, p, tr),
      current: fresh ? '' : valueText(key.split('.').at(-1) ?? key, c, tr),
      // A field the proposal leaves out keeps its value (a ticket's pause names only the state).
      changed: removal || fresh || (proposed.has(key) && !same(p, c)),
    }
  })
}

// ---------------------------------------------------------------------------------------------
// The pending-for-me count beside the menu entry, shared by the menu, the bell and the screens.

export const inbox = reactive({ pending: 0 })

/** Counts the requests waiting for the caller's decision (admins and unit users only). */
export async function refreshInbox(role: Role | null): Promise<void> {
  if (!decides(role)) {
    inbox.pending = 0
    return
  }
  try {
    const page = await call(api.GET('/api/v1/approvals', { params: { query: { mine: true, page_size: 1 } } }))
    inbox.pending = page.total
  } catch {
    // the badge is a convenience; the screen itself reports connection problems
  }
}
