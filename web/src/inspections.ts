// Inspections in the browser: the recurrence builder's model and a plan's schedule (security plans
// keep the same), photo uploads taken with the phone camera, and small formatting helpers shared
// by the inspection screens.
import { type Schemas, upload } from '@/api/client'
import { dateError, rangeError } from '@/validate'

export type Task = Schemas['InspectionTask']
export type Plan = Schemas['InspectionPlan']
export type InspectionTemplate = Schemas['InspectionTemplate']
export type InspectionRecord = Schemas['InspectionRecord']
export type Photo = Schemas['InspectionPhoto']
export type Item = Schemas['Item']

export const TASK_STATUSES = ['pending', 'overdue', 'done'] as const
export const HOLIDAY_RULES = ['next_working_day', 'skip', 'keep'] as const
export const RESULT_TYPES = ['normal_abnormal', 'number', 'text', 'photo'] as const
export const TEMPLATE_KINDS = [
  'application',
  'database',
  'server',
  'network',
  'security',
  'video_conference',
  'machine_room',
  'website',
  'other',
] as const
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const
export const FREQUENCIES = ['working_day', 'day', 'week', 'month', 'quarter', 'times_per_year', 'times_in_period'] as const
export type Frequency = (typeof FREQUENCIES)[number]

/** What the recurrence builder edits; `toRecurrence` gives the API's JSON shape. */
export interface RecurrenceModel {
  frequency: Frequency
  weekdays: string[]
  day: number
  month: number
  times: number
}

export function emptyRecurrence(): RecurrenceModel {
  return { frequency: 'working_day', weekdays: ['mon'], day: 1, month: 1, times: 4 }
}

export function toRecurrence(m: RecurrenceModel): Record<string, unknown> {
  switch (m.frequency) {
    case 'working_day':
    case 'day':
      return { every: m.frequency }
    case 'week':
      return { every: 'week', weekdays: m.weekdays }
    case 'month':
      return { every: 'month', day: m.day }
    case 'quarter':
      return { every: 'quarter', month: m.month, day: m.day }
    case 'times_per_year':
      return { times_per_year: m.times }
    case 'times_in_period':
      return { times_in_period: m.times }
  }
}

export function fromRecurrence(v: unknown): RecurrenceModel {
  const m = emptyRecurrence()
  const o = (v ?? {}) as Record<string, unknown>
  const num = (x: unknown, d: number) => (typeof x === 'number' ? x : d)
  if ('times_per_year' in o) return { ...m, frequency: 'times_per_year', times: num(o.times_per_year, 4) }
  if ('times_in_period' in o) return { ...m, frequency: 'times_in_period', times: num(o.times_in_period, 3) }
  const every = typeof o.every === 'string' ? o.every : 'working_day'
  const frequency = (FREQUENCIES as readonly string[]).includes(every) ? (every as Frequency) : 'working_day'
  return {
    frequency,
    weekdays: Array.isArray(o.weekdays) ? (o.weekdays as string[]) : m.weekdays,
    day: num(o.day, 1),
    month: num(o.month, 1),
    times: m.times,
  }
}

/**
 * When a plan falls due, what its holidays do, and from and until when: what inspection plans and
 * security plans share, edited by `PlanSchedule.vue`.
 */
export interface Schedule {
  recurrence: RecurrenceModel
  holiday_rule: string
  calendar_id: string
  start_date: string
  end_date: string
}

type Scheduled = Pick<Plan, 'recurrence' | 'holiday_rule' | 'calendar_id' | 'start_date' | 'end_date'>

/** A plan's schedule to edit; a new plan (`null`) starts from `fresh`'s recurrence. */
export function toSchedule(plan: Scheduled | null, fresh: () => RecurrenceModel = emptyRecurrence): Schedule {
  return {
    recurrence: plan ? fromRecurrence(plan.recurrence) : fresh(),
    holiday_rule: plan?.holiday_rule ?? 'next_working_day',
    calendar_id: plan?.calendar_id ?? '',
    start_date: plan?.start_date ?? '',
    end_date: plan?.end_date ?? '',
  }
}

/** The schedule's fields of a plan's body (the generated type cannot name a recurrence's shape). */
export function scheduleInput(s: Schedule) {
  return {
    recurrence: toRecurrence(s.recurrence) as never,
    calendar_id: s.calendar_id || null,
    holiday_rule: s.holiday_rule,
    start_date: s.start_date || null,
    end_date: s.end_date || null,
  }
}

/** What the browser checks of the dates before sending (`precheck`). */
export function scheduleChecks(s: Schedule): Record<string, string | undefined> {
  return {
    start_date: dateError(s.start_date),
    end_date: dateError(s.end_date) ?? rangeError(s.start_date, s.end_date),
  }
}

/** `0.987` → `98.7%`; nothing due → `—`. */
export function percent(rate: number | null | undefined): string {
  return rate === null || rate === undefined ? '—' : `${(rate * 100).toFixed(1)}%`
}

/** The range or expected value an item is judged by, for the form's hint. */
export function expectation(item: Item): string {
  const unit = item.unit ?? ''
  if (item.min !== null && item.min !== undefined && item.max !== null && item.max !== undefined)
    return `${item.min}–${item.max} ${unit}`.trim()
  if (item.max !== null && item.max !== undefined) return `≤ ${item.max} ${unit}`.trim()
  if (item.min !== null && item.min !== undefined) return `≥ ${item.min} ${unit}`.trim()
  return item.expected ?? ''
}

/** Whether a number is outside the item's range (the server decides; this only colours the field). */
export function outOfRange(item: Item, value: number | null | undefined): boolean {
  if (value === null || value === undefined || Number.isNaN(value)) return false
  return (item.min !== null && item.min !== undefined && value < item.min) || (item.max !== null && item.max !== undefined && value > item.max)
}

/** Uploads one photo for a task, tied to a checklist item when given. */
export function uploadPhoto(taskId: string, file: File, itemId?: string): Promise<Photo> {
  return upload(`/api/v1/inspection-tasks/${encodeURIComponent(taskId)}/photos`, file, itemId ? { item_id: itemId } : {})
}

export function photoUrl(taskId: string, id: string): string {
  return `/api/v1/inspection-tasks/${encodeURIComponent(taskId)}/photos/${encodeURIComponent(id)}`
}

/** The phone's position, or null when the user declines or the browser cannot tell. */
export function locate(): Promise<Schemas['Location'] | null> {
  return new Promise((resolve) => {
    if (!('geolocation' in navigator)) return resolve(null)
    navigator.geolocation.getCurrentPosition(
      (p) => resolve({ latitude: p.coords.latitude, longitude: p.coords.longitude, accuracy: p.coords.accuracy }),
      () => resolve(null),
      { enableHighAccuracy: true, timeout: 10_000, maximumAge: 60_000 },
    )
  })
}
