// Periodic reports (定期报告): how a status reads, and the period a kind of report starts on.
import type { Schemas } from '@/api/client'

export type Report = Schemas['Report']
export type ReportDetail = Schemas['ReportDetail']
export type ReportKind = Schemas['ReportKind']

export const REPORT_KINDS: ReportKind[] = ['week', 'month', 'quarter', 'half_year', 'year', 'custom']
export const REPORT_STATUSES = ['draft', 'submitted', 'returned', 'issued'] as const
export const NARRATIVE = ['summary', 'problems', 'plan', 'suggestions'] as const

export function reportStatusType(s: string): 'info' | 'warning' | 'danger' | 'success' {
  return ({ draft: 'info', submitted: 'warning', returned: 'danger', issued: 'success' } as const)[s as 'draft'] ?? 'info'
}

const pad = (n: number) => String(n).padStart(2, '0')
const iso = (d: Date) => `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`

/**
 * The first day of the last whole period of `kind` before `at` (bureau time, UTC+8): a report
 * covers a period that has ended. Weeks start on Monday; the others follow the calendar.
 */
export function lastPeriodStart(kind: ReportKind, at: Date): string {
  const bj = new Date(at.getTime() + 8 * 3600_000)
  const y = bj.getUTCFullYear()
  const m = bj.getUTCMonth()
  if (kind === 'week' || kind === 'custom') {
    const monday = new Date(Date.UTC(y, m, bj.getUTCDate() - ((bj.getUTCDay() + 6) % 7) - 7))
    return iso(monday)
  }
  const span = { month: 1, quarter: 3, half_year: 6, year: 12 }[kind]
  const first = Math.floor(m / span) * span - span
  return iso(new Date(Date.UTC(y, first, 1)))
}
