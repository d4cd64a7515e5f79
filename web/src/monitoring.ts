// Monitoring in the browser: types, how a monitor's expectations are edited, and formatting.
import type { Schemas } from '@/api/client'

export type Monitor = Schemas['Monitor']
export type Availability = Schemas['Availability']
export const KINDS = ['http', 'tcp', 'dns', 'tls'] as const
export const STATES = ['up', 'down', 'unknown'] as const

export function stateType(s: Monitor['state']): 'success' | 'danger' | 'info' {
  return s === 'up' ? 'success' : s === 'down' ? 'danger' : 'info'
}

/** What the form edits of `expect`, all kinds together; `toExpect` keeps the kind's own. */
export interface ExpectModel {
  method: string
  status: string
  keyword: string
  regex: string
  max_latency_ms: number | null
  record_type: string
  answer: string
  server: string
  min_days: number | null
  issuer: string
}

export function toExpectModel(e: Schemas['MonitorExpect'] | undefined): ExpectModel {
  return {
    method: e?.method ?? 'GET',
    status: (e?.status ?? []).map((r) => (r.from === r.to ? String(r.from) : `${r.from}-${r.to}`)).join(', '),
    keyword: e?.keyword ?? '',
    regex: e?.regex ?? '',
    max_latency_ms: e?.max_latency_ms ?? null,
    record_type: e?.record_type ?? 'A',
    answer: e?.answer ?? '',
    server: e?.server ?? '',
    min_days: e?.min_days ?? 14,
    issuer: e?.issuer ?? '',
  }
}

export function toExpect(kind: string, m: ExpectModel): Record<string, unknown> {
  const text = (v: string) => (v.trim() ? v.trim() : undefined)
  switch (kind) {
    case 'http': {
      const status = m.status
        .split(/[,，\s]+/)
        .map((s) => s.trim())
        .filter(Boolean)
        .map((s) => (/^\d+$/.test(s) ? Number(s) : s))
      return {
        method: text(m.method),
        status: status.length ? status : undefined,
        keyword: text(m.keyword),
        regex: text(m.regex),
        max_latency_ms: m.max_latency_ms ?? undefined,
      }
    }
    case 'dns':
      return { record_type: text(m.record_type), answer: text(m.answer), server: text(m.server) }
    case 'tls':
      return { min_days: m.min_days ?? undefined, issuer: text(m.issuer) }
    default:
      return {}
  }
}

/** Seconds as `1 小时 5 分` / `1 h 5 min`. */
export function humanSeconds(s: number, english: boolean): string {
  const abs = Math.abs(s)
  const h = Math.floor(abs / 3600)
  const m = Math.floor((abs % 3600) / 60)
  const sec = abs % 60
  const sign = s < 0 ? '-' : ''
  if (english) return sign + (h ? `${h} h ${m} min` : m ? `${m} min ${sec} s` : `${sec} s`)
  return sign + (h ? `${h} 小时 ${m} 分` : m ? `${m} 分 ${sec} 秒` : `${sec} 秒`)
}

/** `0.99912` → `99.912%`. */
export function availabilityText(a: number | null | undefined): string {
  return a === null || a === undefined ? '—' : `${(a * 100).toFixed(3)}%`
}

/** Whole days from now until `iso`. */
export function daysLeft(iso: string, now = Date.now()): number {
  return Math.floor((new Date(iso).getTime() - now) / 86_400_000)
}
