// Assessments (考核): periods to assess, how a status and a payment read.
import type { Schemas } from '@/api/client'
import { fenToYuan } from '@/format'
import { i18n } from '@/i18n'

export type Assessment = Schemas['Assessment']
export type PeriodKind = 'month' | 'quarter' | 'half' | 'year'

const pad = (n: number) => String(n).padStart(2, '0')
const day = (y: number, m: number, d: number) => `${y}-${pad(m)}-${pad(d)}`
const lastDay = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate()

/**
 * The last whole month, quarter, half-year or year before `at` (in the bureau's zone, UTC+8):
 * what is assessed is a period that has ended.
 */
export function previousPeriod(kind: PeriodKind, at: Date): [string, string] {
  const bj = new Date(at.getTime() + 8 * 3600_000)
  const y = bj.getUTCFullYear()
  const m = bj.getUTCMonth() + 1
  const span = { month: 1, quarter: 3, half: 6, year: 12 }[kind]
  // The first month of the current period, then one period back.
  let first = Math.floor((m - 1) / span) * span + 1 - span
  let year = y
  if (first < 1) {
    first += 12
    year -= 1
  }
  const lastMonth = first + span - 1
  return [day(year, first, 1), day(year, lastMonth, lastDay(year, lastMonth))]
}

export type TagType = 'success' | 'warning' | 'danger' | 'info' | 'primary'

export function statusType(s: Schemas['AssessmentStatus']): TagType {
  return { draft: 'info', published: 'primary', appealed: 'warning', final: 'success' }[s] as TagType
}

/** What the vendor is paid, in words. */
export function paymentText(a: Pick<Assessment, 'payment'>): string {
  const t = i18n.global.t
  const p = a.payment
  if (p.negotiate) return t('assessments.pay.negotiate')
  if (p.breach) return t('assessments.pay.breach')
  return t('assessments.pay.amounts', { deduction: fenToYuan(p.deduction_fen ?? 0), payable: fenToYuan(p.payable_fen ?? 0) })
}

/** Points without trailing zeros; "—" when none yet. */
export function points(v: number | null | undefined): string {
  return v === null || v === undefined ? '—' : String(Math.round(v * 100) / 100)
}

/** The grade in the UI's language. */
export function gradeText(a: Pick<Assessment, 'grade' | 'grade_en'>): string {
  return i18n.global.locale.value === 'en' && a.grade_en ? a.grade_en : a.grade
}
