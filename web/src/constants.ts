import type { Schemas } from '@/api/client'

export const ASSET_KINDS: Schemas['AssetKind'][] = [
  'server',
  'storage',
  'network',
  'security',
  'ups',
  'air_conditioner',
  'display',
  'camera',
  'link',
  'domain',
  'certificate',
  'license',
  'other',
]

export const ROLES: Schemas['Role'][] = ['admin', 'auditor', 'unit_user', 'vendor_pm', 'engineer']

/** Every action the server records, in the order a filter lists them. */
export const AUDIT_ACTIONS = [
  'create',
  'update',
  'delete',
  'import',
  'transition',
  'assign',
  'comment',
  'attach',
  'outage',
  'milestone',
  'severity',
  'rate',
  'record',
  'photo',
  'delete_photo',
  'request',
  'approve',
  'reject',
  'withdraw',
  'end',
  'move',
  'login',
  'login_failed',
  'logout',
  'password_change',
  'password_change_failed',
]

/** Every kind of object the server records changes of. */
export const AUDIT_OBJECTS = [
  'ticket',
  'inspection_task',
  'inspection_plan',
  'inspection_template',
  'monitor',
  'maintenance_window',
  'integration',
  'approval',
  'unit',
  'vendor',
  'user',
  'certificate',
  'contract',
  'contract_item',
  'system',
  'asset',
  'session',
  'calendar',
  'holiday_set',
  'sla_policy',
  'settings',
]

// `fix`: a vulnerability's fix deadline (a vulnerability policy's levels are the severities).
export const METRICS = ['response', 'arrival', 'plan', 'restore', 'resolve', 'fix']

export const TICKET_STATES = [
  'new',
  'responded',
  'arrived',
  'in_progress',
  'pending',
  'restored',
  'resolved',
  'closed',
  'reopened',
]

export const RECIPIENTS = ['assignee', 'reporter', 'admin', 'vendor_pm', 'engineer', 'unit_user', 'auditor']

/** Support levels of the seeds' escalation (004 row 02): first line to original manufacturer. */
export const SUPPORT_LEVELS = ['L1', 'L2', 'L3', 'L4']

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const
