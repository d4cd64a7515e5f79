// Single sign-on providers as the security settings edit them: the settings each kind reads, in
// the order the form shows them, and the conversion between the form and the API's input.
// Secrets are never returned by the API: left empty on edit, they keep what is stored.
import type { Schemas } from '@/api/client'
import { i18n } from '@/i18n'
import { httpUrlError, ldapUrlError } from '@/validate'

export type SsoKind = Schemas['SsoKind']
export type Provider = Schemas['SsoProvider']
type Role = Schemas['Role']

export const SSO_KINDS: SsoKind[] = ['oidc', 'cas', 'ldap']

/** The roles a mapping rule may grant. */
export const MAPPED_ROLES: Role[] = ['engineer', 'vendor_pm', 'unit_user', 'admin', 'auditor', 'security_admin']

export interface SsoField {
  key: string
  /** A yes/no switch, or one of `choices`; text otherwise. */
  type?: 'flag' | 'choice'
  choices?: string[]
  secret?: boolean
  required?: boolean
  /** What the server fills in when the field is left empty; a new provider starts with it. */
  default?: string
  /** An example for an empty field. */
  example?: string
  /** Checked in the browser before sending: an http(s) address, or an ldap(s) one. */
  url?: 'http' | 'ldap'
}

export const SSO_FIELDS: Record<SsoKind, SsoField[]> = {
  oidc: [
    { key: 'issuer', required: true, url: 'http', example: 'https://sso.example.gov.cn/realms/bureau' },
    { key: 'client_id', required: true },
    { key: 'client_secret', secret: true },
    { key: 'scopes', default: 'openid profile email' },
    { key: 'username_claim', default: 'preferred_username' },
    { key: 'display_name_claim', default: 'name' },
  ],
  cas: [
    { key: 'server_url', required: true, url: 'http', example: 'https://cas.example.gov.cn/cas' },
    { key: 'version', type: 'choice', choices: ['3', '2'], default: '3' },
    { key: 'username_attribute' },
    { key: 'display_name_attribute' },
  ],
  ldap: [
    { key: 'url', required: true, url: 'ldap', example: 'ldaps://ldap.example.gov.cn' },
    { key: 'starttls', type: 'flag' },
    { key: 'bind_dn', example: 'cn=yunwei,ou=services,dc=example,dc=gov,dc=cn' },
    { key: 'bind_password', secret: true },
    { key: 'base_dn', required: true, example: 'ou=people,dc=example,dc=gov,dc=cn' },
    { key: 'user_filter', default: '(uid={username})' },
    { key: 'username_attribute', default: 'uid' },
    { key: 'display_name_attribute', default: 'cn' },
    { key: 'email_attribute', default: 'mail' },
    { key: 'group_base_dn', example: 'ou=groups,dc=example,dc=gov,dc=cn' },
  ],
}

/** Settings every kind reads. */
export const COMMON_FLAGS = ['link_by_username'] as const

/** A rule as the form edits it: empty text for "none". */
export interface RuleModel {
  attribute: string
  value: string
  role: Role | ''
  unit_id: string
  vendor_id: string
}

export interface ProviderModel {
  kind: SsoKind
  name: string
  enabled: boolean
  /** Text and choice settings by key. */
  values: Record<string, string>
  /** Yes/no settings by key, the common ones included. */
  flags: Record<string, boolean>
  mapping: RuleModel[]
}

export const needsUnit = (role: Role | ''): boolean => role === 'unit_user'
export const needsVendor = (role: Role | ''): boolean => role === 'vendor_pm' || role === 'engineer'

export function blankRule(): RuleModel {
  return { attribute: '', value: '', role: '', unit_id: '', vendor_id: '' }
}

/** The settings a new provider of `kind` starts with: the server's defaults, shown. */
export function defaultsOf(kind: SsoKind): Pick<ProviderModel, 'values' | 'flags'> {
  const values: Record<string, string> = {}
  const flags: Record<string, boolean> = { link_by_username: false }
  for (const f of SSO_FIELDS[kind]) {
    if (f.type === 'flag') flags[f.key] = false
    else values[f.key] = f.default ?? ''
  }
  return { values, flags }
}

/** The form for `p`, or for a new provider of `kind`. */
export function toModel(p: Provider | null, kind: SsoKind = 'oidc'): ProviderModel {
  if (!p) return { kind, name: '', enabled: true, ...defaultsOf(kind), mapping: [] }
  const { values, flags } = defaultsOf(p.kind)
  const config = p.config as Record<string, unknown>
  for (const [k, v] of Object.entries(config)) {
    if (k in flags) flags[k] = v === true
    else values[k] = v === null || v === undefined ? '' : String(v)
  }
  // The stored secrets are never sent back: the fields start empty and keep them unless typed.
  for (const f of SSO_FIELDS[p.kind]) if (f.secret) values[f.key] = ''
  const mapping = p.mapping.map((r) => ({
    attribute: r.attribute,
    value: r.value,
    role: r.role,
    unit_id: r.unit_id ?? '',
    vendor_id: r.vendor_id ?? '',
  }))
  return { kind: p.kind, name: p.name, enabled: p.enabled, values, flags, mapping }
}

/**
 * The API's input: only the settings of the kind (the server refuses others), empty texts and
 * secrets left out (the server's default, or the stored secret), and each rule bound to a unit or
 * a vendor only as its role needs.
 */
export function toInput(m: ProviderModel): Schemas['SsoProviderInput'] {
  const config: Record<string, string | boolean> = {}
  for (const f of SSO_FIELDS[m.kind]) {
    if (f.type === 'flag') {
      config[f.key] = m.flags[f.key] === true
      continue
    }
    const v = (m.values[f.key] ?? '').trim()
    if (v !== '') config[f.key] = v
  }
  for (const k of COMMON_FLAGS) config[k] = m.flags[k] === true
  const mapping = m.mapping.map((r) => ({
    attribute: r.attribute.trim(),
    value: r.value.trim(),
    role: r.role || null,
    unit_id: needsUnit(r.role) && r.unit_id ? r.unit_id : null,
    vendor_id: needsVendor(r.role) && r.vendor_id ? r.vendor_id : null,
  }))
  // The settings are an open object per kind; the schema cannot name its keys.
  return { kind: m.kind, name: m.name.trim(), enabled: m.enabled, config: config as Record<string, never>, mapping }
}

/**
 * The browser's checks before sending, keyed as the API names its errors (`name`,
 * `config.<key>`): the required fields (a stored secret counts) and the addresses.
 */
export function precheckOf(m: ProviderModel, secretsSet: string[]): Record<string, string | undefined> {
  const required = i18n.global.t('common.required')
  const out: Record<string, string | undefined> = { name: m.name.trim() ? undefined : required }
  for (const f of SSO_FIELDS[m.kind]) {
    if (f.type === 'flag') continue
    const v = (m.values[f.key] ?? '').trim()
    const kept = f.secret === true && secretsSet.includes(f.key)
    if (f.required && !v && !kept) out[`config.${f.key}`] = required
    else if (f.url === 'http') out[`config.${f.key}`] = httpUrlError(v)
    else if (f.url === 'ldap') out[`config.${f.key}`] = ldapUrlError(v)
  }
  return out
}
