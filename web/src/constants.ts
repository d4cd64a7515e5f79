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

export const AUDIT_ACTIONS = ['create', 'update', 'delete', 'import', 'login', 'login_failed', 'logout']

export const AUDIT_OBJECTS = [
  'unit',
  'vendor',
  'user',
  'certificate',
  'contract',
  'contract_item',
  'system',
  'asset',
  'session',
]
