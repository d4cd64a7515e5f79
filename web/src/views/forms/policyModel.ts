// The SLA policy form's model: levels as rows of metric + target (+ the out-of-hours target),
// converted from and to the API's policy body.
import type { Schemas } from '@/api/client'
import { byMetric, type Target } from '@/sla'

/** A contract item to attach a policy to, labelled “contract / item”. */
export interface ItemOption {
  id: string
  label: string
}

export interface TargetRow {
  metric: string
  target: Target
  ooh: Target | null
}

export interface LevelModel {
  name: string
  order: number
  criteria: string
  rows: TargetRow[]
  /**
   * Vulnerability fix policies: findings of this level are due before the system's next
   * scheduled scan, which stands in for a `fix` target (the server refuses both).
   */
  beforeNextScan: boolean
}

/** The metric a vulnerability fix policy times; “before the next scan” replaces its target. */
export const FIX_METRIC = 'fix'

export interface PauseRow {
  state: string
  metrics: string[]
}

export interface UpgradeRow {
  from: string
  to: string
  after: Target
}

export interface StepRow {
  metric: string
  onBreach: boolean
  percent: number
  notify: string[]
  /** Notification channels (ids) the step also goes out through. */
  channels: string[]
  escalateTo: string
}

export interface PolicyModel {
  name: string
  calendar_id: string
  contract_item_id: string | null
  description: string
  levels: LevelModel[]
  pauses: PauseRow[]
  upgrades: UpgradeRow[]
  steps: StepRow[]
}

type Spec = Schemas['PolicySpec']

export function blankLevel(order: number): LevelModel {
  return {
    name: '',
    order,
    criteria: '',
    rows: [{ metric: 'response', target: { kind: 'calendar', minutes: 15 }, ooh: null }],
    beforeNextScan: false,
  }
}

export function toModel(spec: Partial<Spec> | null): PolicyModel {
  const levels = (spec?.levels ?? []).map((l) => ({
    name: l.name,
    order: l.order,
    criteria: l.criteria ?? '',
    rows: byMetric(l.targets).map(([metric, target]) => ({
      metric,
      target,
      ooh: l.out_of_hours_targets?.[metric] ?? null,
    })),
    beforeNextScan: l.before_next_scan ?? false,
  }))
  return {
    name: spec?.name ?? '',
    calendar_id: spec?.calendar_id ?? 'preset-5x8',
    contract_item_id: spec?.contract_item_id ?? null,
    description: spec?.description ?? '',
    levels: levels.length ? levels : [blankLevel(1)],
    // A state that pauses nothing needs no row; an empty selection in the form means “every clock”.
    pauses: Object.entries(spec?.pause_states ?? { pending: [] })
      .filter(([, metrics]) => spec?.pause_states === undefined || metrics.length > 0)
      .map(([state, metrics]) => ({ state, metrics: [...metrics] })),
    upgrades: (spec?.upgrade ?? []).map((u) => ({ from: u.from, to: u.to, after: u.after })),
    steps: (spec?.escalation ?? []).map((e) => ({
      metric: e.metric,
      onBreach: e.on_breach,
      percent: e.at_percent ?? 75,
      notify: [...e.notify],
      channels: [...(e.channels ?? [])],
      escalateTo: e.escalate_to ?? '',
    })),
  }
}

/** The body for POST/PUT /sla/policies. Empty pause metrics mean “every clock”. */
export function toInput(m: PolicyModel): Schemas['PolicyInput'] {
  return {
    name: m.name,
    calendar_id: m.calendar_id,
    contract_item_id: m.contract_item_id || null,
    description: m.description || null,
    levels: m.levels.map((l) => ({
      name: l.name,
      order: l.order,
      criteria: l.criteria || null,
      targets: Object.fromEntries(l.rows.filter((r) => r.metric).map((r) => [r.metric, r.target])),
      out_of_hours_targets: Object.fromEntries(
        l.rows.filter((r) => r.metric && r.ooh).map((r) => [r.metric, r.ooh as Target]),
      ),
      before_next_scan: l.beforeNextScan,
    })),
    pause_states: Object.fromEntries(m.pauses.filter((p) => p.state).map((p) => [p.state, p.metrics.length ? p.metrics : ['*']])),
    upgrade: m.upgrades.map((u) => ({ from: u.from, to: u.to, after: u.after })),
    escalation: m.steps.map((s) => ({
      metric: s.metric,
      at_percent: s.onBreach ? null : s.percent,
      on_breach: s.onBreach,
      notify: s.notify,
      channels: s.channels,
      escalate_to: s.escalateTo || null,
    })),
  }
}

/** Every metric some level measures, for pauses and escalation. */
export function metricsOf(m: PolicyModel): string[] {
  const named = m.levels.flatMap((l) => l.rows.map((r) => r.metric).filter(Boolean))
  // A level fixed before the next scan still runs the fix clock, so pauses and steps may name it.
  const fix = m.levels.some((l) => l.beforeNextScan) ? [FIX_METRIC] : []
  return [...new Set([...named, ...fix])]
}

/** Ticks or unticks “before the next scan”; ticking drops the fix target it replaces. */
export function setBeforeNextScan(level: LevelModel, on: boolean): void {
  level.beforeNextScan = on
  if (on) level.rows = level.rows.filter((r) => r.metric !== FIX_METRIC)
}

type Translate = (key: string) => string

/**
 * The server's per-level target rules, checked before sending: a level needs a target unless it
 * is fixed before the next scan, and then it may not also have a fix target.
 */
export function levelChecks(m: PolicyModel, t: Translate): Record<string, string | undefined> {
  const checks: Record<string, string | undefined> = {}
  m.levels.forEach((l, i) => {
    const metrics = l.rows.map((r) => r.metric).filter(Boolean)
    if (!metrics.length && !l.beforeNextScan) checks[`levels[${i}].targets`] = t('policies.targetRequired')
    if (l.beforeNextScan && metrics.includes(FIX_METRIC)) checks[`levels[${i}].before_next_scan`] = t('policies.beforeNextScanConflict')
  })
  return checks
}

/** Metrics named twice within one level (the API would keep only one of them). */
export function duplicateMetrics(m: PolicyModel): { level: number; metric: string }[] {
  return m.levels.flatMap((l, level) => {
    const seen = new Set<string>()
    return l.rows
      .map((r) => r.metric)
      .filter((metric) => metric && (seen.has(metric) || !seen.add(metric)))
      .map((metric) => ({ level, metric }))
  })
}
