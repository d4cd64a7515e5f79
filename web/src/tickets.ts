// Tickets in the UI: SLA badges and countdowns, and what each state change needs.
import type { Schemas } from '@/api/client'

export type Ticket = Schemas['Ticket']
export type TicketDetail = Schemas['TicketDetail']
export type Clock = Schemas['ClockView']

/** Ticket lists count this far past the page's offset; one more means "more" (store::tickets::COUNT_CAP). */
export const TICKET_COUNT_CAP = 1000

export const STATUSES = [
  'new',
  'responded',
  'arrived',
  'in_progress',
  'pending',
  'restored',
  'resolved',
  'closed',
  'reopened',
] as const
export const TYPES = ['incident', 'request', 'consultation', 'data_request', 'access_request'] as const
export const CAUSES = ['vendor', 'carrier', 'infrastructure', 'third_party', 'user', 'unknown'] as const
/** Clocks that state changes stop; any other metric (`plan`, custom ones) is stopped by a milestone. */
export const STATE_METRICS = ['response', 'arrival', 'restore', 'resolve']
export const CHANNELS = ['phone', 'wechat', 'qq', 'email', 'web', 'hotline'] as const

type TagType = 'success' | 'warning' | 'danger' | 'info' | 'primary'

export function statusType(status: string): TagType {
  switch (status) {
    case 'new':
    case 'reopened':
      return 'danger'
    case 'pending':
      return 'warning'
    case 'restored':
    case 'resolved':
      return 'success'
    case 'closed':
      return 'info'
    default:
      return 'primary'
  }
}

/** What a list row shows about its clocks: breached, at risk, running with a due time, or done. */
export type SlaBadge = { kind: 'breached' | 'risk' | 'running' | 'none'; seconds: number | null }

export function slaBadge(t: Pick<Ticket, 'breached' | 'at_risk' | 'next_due_at'>, now: number = Date.now()): SlaBadge {
  const left = t.next_due_at ? Math.round((Date.parse(t.next_due_at) - now) / 1000) : null
  if (t.breached) return { kind: 'breached', seconds: left }
  if (t.at_risk || (left !== null && left <= 0)) return { kind: 'risk', seconds: left }
  if (left !== null) return { kind: 'running', seconds: left }
  return { kind: 'none', seconds: null }
}

export const BADGE_TYPE: Record<SlaBadge['kind'], TagType> = {
  breached: 'danger',
  risk: 'warning',
  running: 'primary',
  none: 'info',
}

/** A duration as the largest two units: `2天3小时`, `45分`, `3 h 5 min`. */
export function duration(seconds: number, english: boolean): string {
  const s = Math.abs(Math.trunc(seconds))
  const d = Math.floor(s / 86400)
  const h = Math.floor((s % 86400) / 3600)
  const m = Math.floor((s % 3600) / 60)
  const parts: [number, string, string][] = [
    [d, '天', 'd'],
    [h, '小时', 'h'],
    [m, '分', 'min'],
  ]
  const shown = parts.filter(([n]) => n > 0).slice(0, 2)
  if (shown.length === 0) return english ? '< 1 min' : '不到 1 分'
  return shown.map(([n, zh, en]) => (english ? `${n} ${en}` : `${n}${zh}`)).join(english ? ' ' : '')
}

export const CLOCK_TYPE: Record<Clock['state'], TagType> = {
  running: 'primary',
  paused: 'warning',
  met: 'success',
  breached: 'danger',
}

/** States that need a written reason. */
export function needsReason(to: string): boolean {
  return to === 'pending' || to === 'reopened'
}

/** Per status, the steps work usually takes next, most likely first. */
const NEXT_STEPS: Record<string, string[]> = {
  new: ['responded', 'in_progress'],
  responded: ['arrived', 'in_progress'],
  arrived: ['in_progress'],
  in_progress: ['restored', 'resolved'],
  pending: ['in_progress'],
  restored: ['resolved'],
  resolved: ['closed'],
  reopened: ['in_progress', 'responded'],
}

/**
 * The one step offered as the main button: the likeliest next one the caller may take, skipping
 * arrival and restore when the ticket has no such clock still to meet. The others go under “更多”.
 */
export function primaryStep(
  status: string,
  allowed: readonly string[],
  clocks: readonly Pick<Clock, 'metric' | 'state' | 'stopped_at'>[],
): string | null {
  const open = (m: string) => clocks.some((c) => c.metric === m && c.state !== 'met' && !c.stopped_at)
  for (const s of NEXT_STEPS[status] ?? []) {
    if (!allowed.includes(s)) continue
    if (s === 'arrived' && !open('arrival')) continue
    if (s === 'restored' && !open('restore')) continue
    return s
  }
  return allowed.find((s) => s !== 'reopened' && s !== 'pending') ?? null
}
