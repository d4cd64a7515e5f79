// The left menu, by role: each person sees the screens of their work.
import {
  AlarmClock,
  Bell,
  Lock,
  Box,
  Checked,
  Calendar,
  Coin,
  DataLine,
  Document,
  FirstAidKit,
  Medal,
  Notebook,
  Headset,
  House,
  Monitor,
  Odometer,
  PieChart,
  Stamp,
  Stopwatch,
  OfficeBuilding,
  Sunny,
  Tickets,
  User as UserIcon,
  Warning,
} from '@element-plus/icons-vue'
import type { Component } from 'vue'

import type { Role } from '@/session'

export interface MenuEntry {
  name: string
  path: string
  label: string
  icon: Component
  roles: Role[]
}

const everyone: Role[] = ['admin', 'auditor', 'unit_user', 'vendor_pm', 'engineer']
// The security administrator keeps accounts and the security policy, and nothing of the business.
const security: Role[] = ['admin', 'security_admin', 'auditor']
// A unit's clerk reports, confirms and follows their own systems: contracts, vendors, the
// deadline simulator are the bureau's and the vendor's tools.
const staff: Role[] = ['admin', 'auditor', 'vendor_pm', 'engineer']

export const MENU: MenuEntry[] = [
  { name: 'home', path: '/', label: 'nav.home', icon: House, roles: [...everyone, 'security_admin'] },
  { name: 'tickets', path: '/tickets', label: 'nav.tickets', icon: Headset, roles: everyone },
  { name: 'inspections', path: '/inspections', label: 'nav.inspections', icon: Checked, roles: everyone },
  { name: 'monitoring', path: '/monitoring', label: 'nav.monitoring', icon: DataLine, roles: everyone },
  // Security operations: the vulnerability ledger and scan imports (not the security administrator's).
  { name: 'secops', path: '/secops', label: 'nav.secops', icon: Warning, roles: everyone },
  // Business continuity: backup policies, runs and restore drills (not the security administrator's).
  { name: 'continuity', path: '/continuity', label: 'nav.continuity', icon: FirstAidKit, roles: everyone },
  { name: 'approvals', path: '/approvals', label: 'nav.approvals', icon: Stamp, roles: everyone },
  { name: 'duty', path: '/duty', label: 'nav.duty', icon: AlarmClock, roles: staff },
  {
    name: 'assessments',
    path: '/assessments',
    label: 'nav.assessments',
    icon: Medal,
    roles: ['admin', 'auditor', 'vendor_pm', 'unit_user'],
  },
  { name: 'reports', path: '/reports', label: 'nav.reports', icon: Notebook, roles: everyone },
  { name: 'dashboard', path: '/overview', label: 'nav.dashboard', icon: PieChart, roles: ['admin', 'auditor', 'vendor_pm'] },
  { name: 'contracts', path: '/contracts', label: 'nav.contracts', icon: Document, roles: staff },
  { name: 'systems', path: '/systems', label: 'nav.systems', icon: Monitor, roles: everyone },
  { name: 'assets', path: '/assets', label: 'nav.assets', icon: Box, roles: everyone },
  {
    name: 'units',
    path: '/units',
    label: 'nav.units',
    icon: OfficeBuilding,
    roles: ['admin', 'auditor', 'vendor_pm', 'engineer'],
  },
  { name: 'vendors', path: '/vendors', label: 'nav.vendors', icon: Coin, roles: ['admin', 'auditor'] },
  {
    name: 'users',
    path: '/users',
    label: 'nav.users',
    icon: UserIcon,
    roles: ['admin', 'auditor', 'vendor_pm', 'security_admin'],
  },
  { name: 'calendars', path: '/calendars', label: 'nav.calendars', icon: Calendar, roles: ['admin', 'auditor', 'vendor_pm'] },
  { name: 'holidays', path: '/holidays', label: 'nav.holidays', icon: Sunny, roles: ['admin', 'auditor'] },
  { name: 'policies', path: '/sla/policies', label: 'nav.policies', icon: Odometer, roles: ['admin', 'auditor', 'vendor_pm'] },
  { name: 'simulate', path: '/sla/simulate', label: 'nav.simulate', icon: Stopwatch, roles: staff },
  { name: 'notify', path: '/notifications', label: 'nav.notify', icon: Bell, roles: [...everyone, 'security_admin'] },
  { name: 'security', path: '/security', label: 'nav.security', icon: Lock, roles: security },
  { name: 'audit', path: '/audit', label: 'nav.audit', icon: Tickets, roles: ['admin', 'auditor'] },
]

/**
 * The menu of `role`. With the three administrators' duties separated (the security policy),
 * the audit is the auditor's alone: the system administrator no longer sees it.
 */
export function menuFor(role: Role | null, separated = false): MenuEntry[] {
  if (!role) return []
  return MENU.filter((m) => m.roles.includes(role) && !(separated && m.name === 'audit' && role === 'admin'))
}

/** Whether `role` may open the screen named `name`. */
export function allowed(name: string, role: Role | null): boolean {
  const entry = MENU.find((m) => m.name === name)
  return !entry || (role !== null && entry.roles.includes(role))
}
