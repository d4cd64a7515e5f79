// Security events (安全事件) in the UI: what happened to which systems, graded after GB/T 20986;
// grades 较大 and above are reported to the authorities within 1, 2 or 4 hours of being found
// (by the strictest reporting class of the systems). Vendor staff and the bureau record the
// steps — reported, contained, recovered; the bureau closes. Units add notes and evidence.
import { api, call, type Schemas, upload } from '@/api/client'
import type { Role } from '@/session'

export type SecurityEvent = Schemas['SecurityEvent']
export type SecurityEventDetail = Schemas['SecurityEventDetail']
export type SecurityEventInput = Schemas['SecurityEventInput']
export type EventEntry = Schemas['EventEntry']
export type EventFile = Schemas['EventFile']
export type EventCategory = Schemas['EventCategory']
export type EventGrade = Schemas['EventGrade']
export type EventStatus = Schemas['EventStatus']
export type EventStage = 'reported' | 'contained' | 'recovered' | 'closed'

export const EVENT_CATEGORIES: readonly EventCategory[] = [
  'malware',
  'attack',
  'data',
  'content',
  'equipment',
  'violation',
  'hazard',
  'abnormal',
  'force_majeure',
  'other',
]
export const EVENT_GRADES: readonly EventGrade[] = ['especially_major', 'major', 'significant', 'general']
export const EVENT_STATUSES: readonly EventStatus[] = ['open', 'contained', 'recovered', 'closed']
export const EVENT_STAGES: readonly EventStage[] = ['reported', 'contained', 'recovered', 'closed']
/** What evidence may be: PDF, office documents, images, text. */
export const EVIDENCE_ACCEPT = '.pdf,.doc,.docx,.xls,.xlsx,.wps,.png,.jpg,.jpeg,.txt,.log,.csv'

type TagType = 'success' | 'warning' | 'danger' | 'info' | 'primary'

/** I and II red, III orange, IV grey. */
export const GRADE_TYPE: Record<EventGrade, TagType> = { especially_major: 'danger', major: 'danger', significant: 'warning', general: 'info' }
export const STATUS_TYPE: Record<EventStatus, TagType> = { open: 'danger', contained: 'warning', recovered: 'primary', closed: 'success' }

/** Where the report to the authorities stands. */
export type ReportState = 'none' | 'late' | 'onTime' | 'pending'

export const REPORT_TYPE: Record<ReportState, TagType> = { none: 'info', late: 'danger', onTime: 'success', pending: 'warning' }

export function reportState(e: Pick<SecurityEvent, 'report_due_at' | 'reported_at' | 'report_late'>): ReportState {
  if (!e.report_due_at) return 'none'
  if (e.report_late) return 'late'
  return e.reported_at ? 'onTime' : 'pending'
}

/** Vendor staff (on their systems) and the bureau record events and their steps. */
export function mayRecord(role: Role | null): boolean {
  return role === 'admin' || role === 'vendor_pm' || role === 'engineer'
}

/** Everyone but the auditor adds notes and evidence. */
export function mayAnnotate(role: Role | null): boolean {
  return role !== null && role !== 'auditor'
}

/** The steps a role is offered: those not yet recorded (the bureau alone closes), in order. */
export function stagesOffered(e: SecurityEvent, role: Role | null): EventStage[] {
  if (!mayRecord(role) || e.closed_at) return []
  const done: Record<EventStage, boolean> = {
    reported: !!e.reported_at || !e.report_due_at,
    contained: !!e.contained_at,
    recovered: !!e.recovered_at,
    closed: false,
  }
  return EVENT_STAGES.filter((s) => !done[s] && (s !== 'closed' || role === 'admin'))
}

/** The event's input as it stands, for an edit that changes some fields. */
export function inputOf(e: SecurityEvent): SecurityEventInput {
  return {
    title: e.title,
    category: e.category,
    grade: e.grade,
    system_ids: e.system_ids,
    description: e.description,
    occurred_at: e.occurred_at ?? null,
    found_at: e.found_at,
    measures: e.measures ?? null,
    lessons: e.lessons ?? null,
    ticket_ids: e.ticket_ids,
    vulnerability_ids: e.vulnerability_ids,
  }
}

export function fetchEvent(id: string): Promise<SecurityEventDetail> {
  return call(api.GET('/api/v1/security-events/{id}', { params: { path: { id } } }))
}

export function createEvent(body: SecurityEventInput): Promise<SecurityEventDetail> {
  return call(api.POST('/api/v1/security-events', { body }))
}

export function updateEvent(id: string, body: SecurityEventInput): Promise<SecurityEventDetail> {
  return call(api.PUT('/api/v1/security-events/{id}', { params: { path: { id } }, body }))
}

export function recordStage(
  id: string,
  body: { stage: EventStage; at: string | null; report_ref: string | null; note: string | null },
): Promise<SecurityEventDetail> {
  return call(api.POST('/api/v1/security-events/{id}/stages', { params: { path: { id } }, body }))
}

export function addNote(id: string, text: string): Promise<SecurityEventDetail> {
  return call(api.POST('/api/v1/security-events/{id}/notes', { params: { path: { id } }, body: { text } }))
}

export function addEvidence(id: string, file: File): Promise<EventFile> {
  return upload<EventFile>(`/api/v1/security-events/${encodeURIComponent(id)}/files`, file)
}

export function evidencePath(id: string, fileId: string): string {
  return `/api/v1/security-events/${encodeURIComponent(id)}/files/${encodeURIComponent(fileId)}`
}
