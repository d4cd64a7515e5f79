// Targets and working hours as people read and type them.
import type { Schemas } from '@/api/client'
import { METRICS } from '@/constants'

export type Target = Schemas['Target']
type Translate = (key: string, params?: Record<string, unknown>) => string

/** 90 → “1.5 小时”, 1440 → “1 天”, in the UI's language. */
export function durationText(minutes: number, t: Translate): string {
  if (minutes > 0 && minutes % 1440 === 0) return `${minutes / 1440} ${t('target.days')}`
  if (minutes > 0 && minutes % 60 === 0) return `${minutes / 60} ${t('target.hours')}`
  if (minutes > 60 && (minutes * 2) % 60 === 0) return `${minutes / 60} ${t('target.hours')}`
  return `${minutes} ${t('target.minutes')}`
}

export function targetText(target: Target, t: Translate): string {
  switch (target.kind) {
    case 'calendar':
      return t('target.text.calendar', { d: durationText(target.minutes, t) })
    case 'business':
      return t('target.text.business', { d: durationText(target.minutes, t) })
    case 'working_days':
      return t(target.at === 'same_time' ? 'target.text.working_days_same' : 'target.text.working_days_end', {
        n: target.days,
      })
    case 'next_working_day':
      return t(target.at === 'start' ? 'target.text.next_start' : 'target.text.next_end')
  }
}

/** `"09:00-12:00, 13:30-17:30"` → `[["09:00","12:00"],["13:30","17:30"]]`; null when unreadable. */
export function parseHoursText(text: string): string[][] | null {
  const parts = text
    .split(/[,，;；、\n]+/)
    .map((p) => p.trim())
    .filter(Boolean)
  const out: string[][] = []
  for (const p of parts) {
    const m = /^(\d{1,2}:\d{2})\s*[-–—~～至到]\s*(\d{1,2}:\d{2})$/.exec(p)
    if (!m) return null
    out.push([m[1].padStart(5, '0'), m[2].padStart(5, '0')])
  }
  return out
}

export function hoursText(hours: string[][] | null | undefined): string {
  return (hours ?? []).map(([a, b]) => `${a}-${b}`).join(', ')
}

/** A new target of a kind, keeping the amount where it carries over. */
export function retarget(kind: Target['kind'], from: Target | null): Target {
  const minutes = from && 'minutes' in from ? from.minutes : 60
  switch (kind) {
    case 'calendar':
      return { kind, minutes }
    case 'business':
      return { kind, minutes }
    case 'working_days':
      return { kind, days: from?.kind === 'working_days' ? from.days : 1, at: 'end_of_day' }
    case 'next_working_day':
      return { kind, at: 'end' }
  }
}

/** Metrics in the order a ticket meets them (response … resolve), custom ones after, by name. */
export function metricOrder(a: string, b: string): number {
  const rank = (m: string) => {
    const i = METRICS.indexOf(m)
    return i < 0 ? METRICS.length : i
  }
  return rank(a) - rank(b) || a.localeCompare(b)
}

/** The entries of a metric-keyed map in `metricOrder`. */
export function byMetric<T>(map: Record<string, T> | null | undefined): [string, T][] {
  return Object.entries(map ?? {}).sort(([a], [b]) => metricOrder(a, b))
}
