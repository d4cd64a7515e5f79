// Periods and figures of the indicator page.
import { api, call, type Schemas } from '@/api/client'

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

let defs: Promise<Schemas['IndicatorDef'][]> | null = null
let seeds: Promise<Schemas['TargetTemplate'][]> | null = null

/** The indicator catalogue, read once per page load (it changes only with a release). */
export function catalogue(): Promise<Schemas['IndicatorDef'][]> {
  defs ??= call(api.GET('/api/v1/kpis/catalogue')).then((r) => r.items).catch(() => {
    defs = null
    return []
  })
  return defs
}

/** The seeds' target templates, read once per page load. */
export function targetTemplates(): Promise<Schemas['TargetTemplate'][]> {
  seeds ??= call(api.GET('/api/v1/kpis/target-templates')).then((r) => r.items).catch(() => {
    seeds = null
    return []
  })
  return seeds
}

/** A target in words' parts: "≥ 98.0%", "≤ 60.0 min" (the window is added by the caller). */
export function formatTarget(t: Schemas['KpiTarget'], unit: string): string {
  return `${t.op === 'at_least' ? '≥' : '≤'} ${formatKpi(t.value, unit)}`
}

/** A template's targets merged into an item's: rows of the same indicator and window are
 *  replaced, the others kept, the rest added. */
export function mergeTargets(rows: Schemas['KpiTarget'][], add: Schemas['KpiTarget'][]): Schemas['KpiTarget'][] {
  const out = rows.map((r) => ({ ...r }))
  for (const n of add) {
    const i = out.findIndex((x) => x.key === n.key && x.per === n.per)
    if (i >= 0) out.splice(i, 1, { ...n })
    else out.push({ ...n })
  }
  return out
}
