// The contract form's model: money in yuan as people type it, converted to fen for the API.
import type { Schemas } from '@/api/client'
import { yuanToFen } from '@/format'

export interface MilestoneModel {
  percent: number | null
  condition: string
  /** Paid on a date … */
  due_on: string | null
  /** … or after the final assessment of a period: [first day, last day], or empty. */
  assessed: string[]
}

/** A new, empty milestone row. */
export function blankMilestone(): MilestoneModel {
  return { percent: null, condition: '', due_on: null, assessed: [] }
}

export interface ItemModel {
  id: string | null
  name: string
  budgetYuan: number | null
  start_date: string | null
  end_date: string | null
  system_ids: string[]
  milestones: MilestoneModel[]
  notes: string
  sla_policy_id: string | null
  /** The policy whose `fix` targets by severity time the vulnerabilities of the item's systems. */
  vulnerability_policy_id: string | null
  counted_causes: string[]
  /** Promised availability in percent (99.9), or null. */
  availability_target: number | null
  /** Who handles the item's tickets when nobody is chosen. */
  default_assignee_id: string | null
  /** New tickets go to whoever is on duty first. */
  assign_to_duty: boolean
  /** Targets on the indicators, in the API's units (rates as fractions). */
  targets: Schemas['KpiTarget'][]
}

/** Outage causes, in the API's order; vendor and unknown count against the vendor by default. */
export const CAUSES = ['vendor', 'carrier', 'infrastructure', 'third_party', 'user', 'unknown'] as const
export const DEFAULT_COUNTED = ['vendor', 'unknown']

export interface ContractModel {
  name: string
  code: string
  vendor_id: string | null
  signed_on: string | null
  notes: string
  items: ItemModel[]
}

export function blankItem(): ItemModel {
  return {
    id: null,
    name: '',
    budgetYuan: null,
    start_date: null,
    end_date: null,
    system_ids: [],
    milestones: [],
    notes: '',
    sla_policy_id: null,
    vulnerability_policy_id: null,
    counted_causes: [...DEFAULT_COUNTED],
    availability_target: null,
    default_assignee_id: null,
    assign_to_duty: false,
    targets: [],
  }
}

export function toModel(c: Schemas['Contract'] | null): ContractModel {
  return {
    name: c?.name ?? '',
    code: c?.code ?? '',
    vendor_id: c?.vendor_id ?? null,
    signed_on: c?.signed_on ?? null,
    notes: c?.notes ?? '',
    items: (c?.items ?? []).map((i) => ({
      id: i.id,
      name: i.name,
      budgetYuan: i.budget_fen / 100,
      start_date: i.start_date,
      end_date: i.end_date,
      system_ids: [...i.system_ids],
      milestones: i.milestones.map((m) => ({
        percent: m.percent,
        condition: m.condition,
        due_on: m.due_on ?? null,
        assessed: m.assessed_from && m.assessed_to ? [m.assessed_from, m.assessed_to] : [],
      })),
      notes: i.notes ?? '',
      sla_policy_id: i.sla_policy_id ?? null,
      vulnerability_policy_id: i.vulnerability_policy_id ?? null,
      counted_causes: [...(i.counted_causes ?? DEFAULT_COUNTED)],
      availability_target: i.availability_target ?? null,
      default_assignee_id: i.default_assignee_id ?? null,
      assign_to_duty: i.assign_to_duty ?? false,
      targets: (i.targets ?? []).map((x) => ({ ...x })),
    })),
  }
}

export function toInput(m: ContractModel): Schemas['ContractInput'] {
  return {
    name: m.name,
    code: m.code || null,
    vendor_id: m.vendor_id,
    signed_on: m.signed_on,
    notes: m.notes || null,
    items: m.items.map((i) => ({
      id: i.id,
      name: i.name,
      budget_fen: yuanToFen(i.budgetYuan),
      start_date: i.start_date,
      end_date: i.end_date,
      system_ids: i.system_ids,
      milestones: i.milestones.map((x) => ({
        percent: x.percent,
        condition: x.condition,
        due_on: x.due_on || null,
        assessed_from: x.assessed[0] ?? null,
        assessed_to: x.assessed[1] ?? null,
      })),
      notes: i.notes || null,
      sla_policy_id: i.sla_policy_id || null,
      vulnerability_policy_id: i.vulnerability_policy_id || null,
      counted_causes: i.counted_causes,
      availability_target: i.availability_target,
      default_assignee_id: i.default_assignee_id || null,
      assign_to_duty: i.assign_to_duty,
      targets: i.targets.map((x) => ({ key: x.key, op: x.op, value: x.value, per: x.per })),
    })),
  }
}

/** The percentages of an item's milestones, added up (the API wants 100 when there are any). */
export function milestoneSum(item: ItemModel): number {
  return item.milestones.reduce((s, m) => s + (m.percent ?? 0), 0)
}

/** The first error about an item's systems: the list itself or one of its entries. */
export function systemsError(errors: Record<string, string>): string | undefined {
  const key = Object.keys(errors).find((k) => k === 'system_ids' || k.startsWith('system_ids['))
  return key ? errors[key] : undefined
}
