// Periods and figures of the indicator page.

export type Kind = 'month' | 'quarter' | 'year' | 'custom'

const pad = (n: number) => String(n).padStart(2, '0')
const day = (y: number, m: number, d: number) => `${y}-${pad(m)}-${pad(d)}`
const lastDay = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate()

/** The calendar month, quarter or year holding `at` (in the bureau's zone, UTC+8), as dates. */
export function periodOf(kind: Kind, at: Date): string[] {
  const bj = new Date(at.getTime() + 8 * 3600_000)
  const y = bj.getUTCFullYear()
  const m = bj.getUTCMonth() + 1
  if (kind === 'year') return [day(y, 1, 1), day(y, 12, 31)]
  if (kind === 'quarter') {
    const first = Math.floor((m - 1) / 3) * 3 + 1
    return [day(y, first, 1), day(y, first + 2, lastDay(y, first + 2))]
  }
  return [day(y, m, 1), day(y, m, lastDay(y, m))]
}

/** A value in its unit: rates as percentages, minutes with one decimal, counts whole. */
export function formatKpi(value: number, unit: string): string {
  if (unit === 'rate') return `${(value * 100).toFixed(1)}%`
  if (unit === 'minutes') return value >= 600 ? `${(value / 60).toFixed(1)} h` : `${value.toFixed(1)} min`
  if (unit === 'stars') return value.toFixed(2)
  return String(Math.round(value))
}
