import { describe, expect, it } from 'vitest'

import { duration, slaBadge, primaryStep } from '@/tickets'

describe('SLA badges', () => {
  const now = Date.parse('2026-11-22T02:00:00Z')
  it('say breached before anything else', () => {
    expect(slaBadge({ breached: true, at_risk: false, next_due_at: null }, now).kind).toBe('breached')
  })
  it('count down to the next due time', () => {
    const b = slaBadge({ breached: false, at_risk: false, next_due_at: '2026-11-22T03:30:00Z' }, now)
    expect(b).toEqual({ kind: 'running', seconds: 5400 })
  })
  it('turn to at risk when the server says so or the due time has passed', () => {
    expect(slaBadge({ breached: false, at_risk: true, next_due_at: '2026-11-22T03:30:00Z' }, now).kind).toBe('risk')
    expect(slaBadge({ breached: false, at_risk: false, next_due_at: '2026-11-22T01:59:00Z' }, now).kind).toBe('risk')
  })
  it('show nothing without a running clock', () => {
    expect(slaBadge({ breached: false, at_risk: false, next_due_at: null }, now).kind).toBe('none')
  })
})

describe('durations', () => {
  it('keep the two largest units', () => {
    expect(duration(2 * 86400 + 3 * 3600 + 59, false)).toBe('2天3小时')
    expect(duration(-(45 * 60), false)).toBe('45分')
    expect(duration(3 * 3600 + 5 * 60, true)).toBe('3 h 5 min')
    expect(duration(20, true)).toBe('< 1 min')
  })
})

describe('the main next step of a ticket', () => {
  const running = (metric: string) => ({ metric, state: 'running' as const, stopped_at: null })
  const met = (metric: string) => ({ metric, state: 'met' as const, stopped_at: '2026-11-23T02:10:00Z' })
  const all = ['responded', 'arrived', 'in_progress', 'pending', 'restored', 'resolved']

  it('answers a new ticket first, never resolves it with the first tap', () => {
    expect(primaryStep('new', all, [running('response'), running('resolve')])).toBe('responded')
  })

  it('goes on site only when an arrival clock is still to meet', () => {
    expect(primaryStep('responded', all, [met('response'), running('arrival')])).toBe('arrived')
    expect(primaryStep('responded', all, [met('response'), running('resolve')])).toBe('in_progress')
  })

  it('restores the service before resolving when the policy times the restore', () => {
    expect(primaryStep('in_progress', all, [running('restore'), running('resolve')])).toBe('restored')
    expect(primaryStep('in_progress', all, [met('restore'), running('resolve')])).toBe('resolved')
    expect(primaryStep('restored', ['in_progress', 'resolved'], [running('resolve')])).toBe('resolved')
  })

  it('asks the reporter to confirm, and never offers pausing or reopening as the main step', () => {
    expect(primaryStep('resolved', ['closed', 'reopened'], [])).toBe('closed')
    expect(primaryStep('resolved', ['reopened'], [])).toBeNull()
    expect(primaryStep('in_progress', ['pending'], [])).toBeNull()
  })
})
