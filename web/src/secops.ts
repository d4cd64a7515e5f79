// Security operations (安全运营) in the UI: the vulnerability ledger's states, severities, fix
// deadlines, and who may do what with a finding.
import type { Schemas } from '@/api/client'
import type { operations } from '@/api/schema'
import type { Role } from '@/session'

export type Vuln = Schemas['Vulnerability']
export type VulnDetail = Schemas['VulnDetail']
export type VulnEvent = Schemas['VulnEvent']
export type VulnStatus = Schemas['VulnStatus']
export type Severity = Schemas['Severity']
export type ScanImport = Schemas['ScanImport']
export type ImportPreview = Schemas['ImportPreview']
export type ScanMapping = Schemas['ScanMapping']

/**
 * A move's body. Named through the operation, not the schema: the document's `TransitionInput`
 * is the ticket's (same name), which lacks `accepted_until`.
 */
export type MoveBody = operations['vulnerabilities_transition']['requestBody']['content']['application/json'] & {
  to: VulnStatus
  reason?: string | null
  /** `YYYY-MM-DD`: for risk_accepted, when the risk is looked at again. */
  accepted_until?: string | null
}
export type BulkBody = operations['vulnerabilities_bulk']['requestBody']['content']['application/json'] & {
  ids: string[]
  action: 'transition' | 'assign'
  accepted_until?: string | null
}

export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low']
export const STATUSES: readonly VulnStatus[] = [
  'open',
  'confirmed',
  'fixing',
  'pending',
  'fixed',
  'verified',
  'false_positive',
  'risk_accepted',
]
/** The status filter's extra choice: everything still to be fixed (open … pending). */
export const UNRESOLVED = 'unresolved'
export const SOURCES = ['scan', 'web_scan', 'pentest', 'baseline', 'notice', 'self_found'] as const
export const NOTICE_ORGS = ['cac', 'police', 'telecom', 'other'] as const
/** What a finding's age filter offers (days). */
export const AGES = [7, 15, 30, 60, 90] as const

type TagType = 'success' | 'warning' | 'danger' | 'info' | 'primary'

export function statusType(s: VulnStatus): TagType {
  switch (s) {
    case 'open':
      return 'danger'
    case 'confirmed':
    case 'pending':
      return 'warning'
    case 'fixing':
      return 'primary'
    case 'fixed':
    case 'verified':
      return 'success'
    default:
      return 'info'
  }
}

/** Still to be fixed. */
export function isOpen(s: VulnStatus): boolean {
  return s === 'open' || s === 'confirmed' || s === 'fixing' || s === 'pending'
}

/** Moves that need a written reason (the API refuses them without). */
export function needsReason(to: VulnStatus): boolean {
  return to === 'pending' || to === 'false_positive' || to === 'risk_accepted' || to === 'open'
}

/** Vendor staff record, import and work findings; the bureau does everything; others read. */
export function mayWork(role: Role | null): boolean {
  return role === 'admin' || role === 'vendor_pm' || role === 'engineer'
}

/** Whether the move, made by `role`, becomes a request for the bureau's approval (202). */
export function isRequest(to: VulnStatus, role: Role | null): boolean {
  return (role === 'vendor_pm' || role === 'engineer') && (to === 'pending' || to === 'false_positive' || to === 'risk_accepted')
}

/**
 * The i18n key of a move's button: “申请风险接受” for the vendor, “风险接受” for the bureau; a fix
 * that did not hold goes back as “重新修复”.
 */
export function moveLabel(to: VulnStatus, role: Role | null, from?: VulnStatus): string {
  if (isRequest(to, role)) return `secops.request.${to}`
  return from === 'fixed' && to === 'fixing' ? 'secops.move.refix' : `secops.move.${to}`
}

/** The moves offered for several findings at once, by role (the API checks each finding). */
export function bulkMoves(role: Role | null): VulnStatus[] {
  if (role === 'admin') return ['confirmed', 'fixing', 'fixed', 'verified', 'false_positive', 'risk_accepted']
  if (role === 'vendor_pm' || role === 'engineer') return ['confirmed', 'fixing', 'fixed', 'false_positive', 'risk_accepted']
  return []
}

/** Where a finding was found: `host:port`, the URL, or the host alone. */
export function location(v: Pick<Vuln, 'host' | 'port' | 'url'>): string {
  if (v.url) return v.url
  if (v.host && v.port) return v.host.includes(':') ? `[${v.host}]:${v.port}` : `${v.host}:${v.port}`
  return v.host ?? ''
}

/** What a row shows about its fix clock. */
export type FixBadge = { kind: 'breached' | 'risk' | 'running' | 'paused' | 'met' | 'none'; seconds: number | null }

export function fixBadge(
  v: Pick<Vuln, 'clock_state' | 'breached' | 'due_at' | 'risk_at'>,
  now: number = Date.now(),
): FixBadge {
  const left = v.due_at ? Math.round((Date.parse(v.due_at) - now) / 1000) : null
  const state = v.clock_state ?? null
  if (v.breached || state === 'breached') return { kind: 'breached', seconds: left }
  if (state === 'met') return { kind: 'met', seconds: null }
  if (state === 'paused') return { kind: 'paused', seconds: null }
  if (state !== 'running') return { kind: 'none', seconds: null }
  const risky = (v.risk_at && Date.parse(v.risk_at) <= now) || (left !== null && left <= 0)
  return { kind: risky ? 'risk' : 'running', seconds: left }
}

export const FIX_BADGE_TYPE: Record<FixBadge['kind'], TagType> = {
  breached: 'danger',
  risk: 'warning',
  running: 'primary',
  paused: 'info',
  met: 'success',
  none: 'info',
}

/** The query's comma list as the multiple select's values, and back. */
export function splitList(v: string): string[] {
  return v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
}

// ---------------------------------------------------------------------------------------------
// Imports of scanner output.

/** The columns a spreadsheet export is read by (title and severity required). */
export const MAPPING_FIELDS = [
  'title',
  'severity',
  'host',
  'hostname',
  'port',
  'protocol',
  'url',
  'plugin_id',
  'cvss',
  'identifiers',
  'cve',
  'cnvd',
  'cnnvd',
  'description',
  'solution',
  'evidence',
] as const
export type MappingField = (typeof MAPPING_FIELDS)[number]
export const SEVERITY_WORDS = ['critical', 'high', 'medium', 'low', 'info'] as const

/** Which column holds what; `severity_words` maps the file's own words to a severity. */
export type ColumnMapping = Partial<Record<MappingField, string | null>> & {
  severity_words?: Record<string, string>
}

/** `POST /vulnerability-imports/headers`: the header row and the mapping guessed from it. */
export interface HeadersAnswer {
  headers: string[]
  guess: ColumnMapping
}

/** Spreadsheet exports need a column mapping; scanner XML (Nessus, OpenVAS) reads itself. */
export function isSpreadsheet(fileName: string): boolean {
  return /\.(xlsx|csv)$/i.test(fileName)
}

/** A mapping without its empty columns, as the API wants it. */
export function cleanMapping(m: ColumnMapping): ColumnMapping {
  const out: ColumnMapping = {}
  for (const f of MAPPING_FIELDS) {
    const v = m[f]
    if (typeof v === 'string' && v.trim()) out[f] = v
  }
  const words = Object.entries(m.severity_words ?? {}).filter(([w, s]) => w.trim() && s)
  if (words.length) out.severity_words = Object.fromEntries(words.map(([w, s]) => [w.trim(), s]))
  return out
}

/** Host rows (host, IP or CIDR → system) as the JSON object the import takes; blank rows dropped. */
export function hostsJson(rows: readonly { host: string; system_id: string }[]): string {
  const pairs = rows.filter((r) => r.host.trim() && r.system_id).map((r) => [r.host.trim(), r.system_id])
  return JSON.stringify(Object.fromEntries(pairs))
}
