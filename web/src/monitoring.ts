// Monitoring in the browser: types, how a monitor's expectations are edited, and formatting.
import type { Schemas } from '@/api/client'
import { formatInstant } from '@/format'

export type Monitor = Schemas['Monitor']
export type Availability = Schemas['Availability']
export type Maintenance = Schemas['Maintenance']
export const KINDS = ['http', 'tcp', 'dns', 'tls'] as const
export const STATES = ['up', 'down', 'unknown'] as const

export function stateType(s: Monitor['state']): 'success' | 'danger' | 'info' {
  return s === 'up' ? 'success' : s === 'down' ? 'danger' : 'info'
}

/**
 * What a stored request header's value reads as (the API never sends header values back: they
 * often hold credentials). Sending it back unchanged keeps the stored value.
 */
export const SECRET_MASK = '••••••'

export interface HeaderRow {
  name: string
  value: string
}

/** What the form edits of `expect`, all kinds together; `toExpect` keeps the kind's own. */
export interface ExpectModel {
  method: string
  headers: HeaderRow[]
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
    headers: Object.entries(e?.headers ?? {}).map(([name, value]) => ({ name, value })),
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
      const headers: Record<string, string> = {}
      for (const h of m.headers) if (h.name.trim()) headers[h.name.trim()] = h.value
      return {
        method: text(m.method),
        headers: Object.keys(headers).length ? headers : undefined,
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

/** A maintenance window in words: `每周日 02:00 起 120 分钟（Asia/Shanghai）` or its date range. */
export function maintenanceText(w: Maintenance, english: boolean): string {
  if (w.repeat === 'once') return `${formatInstant(w.start)} – ${formatInstant(w.end)}`
  const zh = ['一', '二', '三', '四', '五', '六', '日']
  const en = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun']
  const days = [...w.weekdays].sort((a, b) => a - b)
  const at = w.at.slice(0, 5)
  if (english) return `${days.map((d) => en[d - 1]).join(', ')} from ${at} for ${w.minutes} min (${w.time_zone})`
  return `每周${days.map((d) => zh[d - 1]).join('、')} ${at} 起 ${w.minutes} 分钟（${w.time_zone}）`
}

export const INTEGRATION_KINDS = ['alertmanager', 'webhook', 'metrics', 'backup'] as const

/**
 * What to paste into the sender of an integration account: where to send, and the token. A
 * backup tool names the policy its run fulfils (`policy`: the placeholder for its id).
 */
export function senderConfig(kind: Schemas['IntegrationKind'], origin: string, token: string, policy = '<策略 ID>'): string {
  switch (kind) {
    case 'alertmanager':
      return [
        'receivers:',
        '  - name: yunwei',
        '    webhook_configs:',
        `      - url: ${origin}/api/v1/intake/alertmanager`,
        '        send_resolved: true',
        '        http_config:',
        '          authorization:',
        `            credentials: ${token}`,
      ].join('\n')
    case 'webhook':
      return [
        `curl -X POST ${origin}/api/v1/intake/webhook \\`,
        `  -H 'Authorization: Bearer ${token}' -H 'Content-Type: application/json' \\`,
        `  -d '{"system": "…", "key": "…", "status": "firing", "title": "…"}'`,
      ].join('\n')
    case 'metrics':
      return [
        'scrape_configs:',
        '  - job_name: yunwei',
        `    scheme: ${origin.startsWith('https') ? 'https' : 'http'}`,
        '    authorization:',
        `      credentials: ${token}`,
        '    static_configs:',
        `      - targets: ['${origin.replace(/^https?:\/\//, '')}']`,
      ].join('\n')
    case 'backup':
      return [
        `curl -X POST -H "Authorization: Bearer ${token}" -H 'Content-Type: application/json' \\`,
        `  -d '{"policy_id":"${policy}","started_at":"…","finished_at":"…","result":"success","size_bytes":123}' \\`,
        `  ${origin}/api/v1/intake/backup-runs`,
      ].join('\n')
  }
}
