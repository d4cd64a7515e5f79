import { describe, expect, it } from 'vitest'

import { allowed, menuFor } from '@/menu'

describe('the menu follows the role', () => {
  const names = (role: Parameters<typeof menuFor>[0]) => menuFor(role).map((m) => m.name)

  it('gives the bureau and the auditor everything, the audit log included', () => {
    expect(names('admin')).toContain('audit')
    expect(names('auditor')).toEqual(names('admin'))
  })

  it('keeps unit users and engineers to their work', () => {
    // A unit's clerk: their home page, their reports and their systems; no contracts, vendors,
    // deadline simulator or registry overview.
    expect(names('unit_user')).toEqual([
      'home',
      'tickets',
      'inspections',
      'monitoring',
      'secops',
      'continuity',
      'approvals',
      'assessments',
      'reports',
      'systems',
      'assets',
      'notify',
    ])
    expect(names('engineer')).not.toContain('assessments')
    expect(names('engineer')).toContain('reports')
    expect(names('engineer')[0]).toBe('home')
    expect(names('engineer')).not.toContain('dashboard')
    expect(names('admin').slice(0, 1)).toEqual(['home'])
    expect(names('admin')).toContain('dashboard')
    expect(names('engineer')).not.toContain('audit')
    expect(names('engineer')).not.toContain('users')
    expect(names('vendor_pm')).toContain('users')
    expect(names(null)).toEqual([])
  })

  it('gives the security administrator accounts and the policy, nothing of the business', () => {
    expect(names('security_admin')).toEqual(['home', 'users', 'notify', 'security'])
    expect(allowed('security', 'security_admin')).toBe(true)
    expect(allowed('tickets', 'security_admin')).toBe(false)
    expect(allowed('security', 'engineer')).toBe(false)
  })

  it('opens security operations (the vulnerability ledger) to the business roles only', () => {
    for (const r of ['admin', 'auditor', 'unit_user', 'vendor_pm', 'engineer'] as const) expect(names(r)).toContain('secops')
    expect(allowed('secops', 'security_admin')).toBe(false)
  })

  it('opens business continuity (backups) to the business roles only', () => {
    for (const r of ['admin', 'auditor', 'unit_user', 'vendor_pm', 'engineer'] as const) expect(names(r)).toContain('continuity')
    expect(allowed('continuity', 'security_admin')).toBe(false)
    expect(names('engineer').indexOf('continuity')).toBe(names('engineer').indexOf('secops') + 1)
  })

  it('leaves the audit to the auditor when duties are separated', () => {
    expect(menuFor('admin', true).map((m) => m.name)).not.toContain('audit')
    expect(menuFor('auditor', true).map((m) => m.name)).toContain('audit')
    expect(menuFor('admin', false).map((m) => m.name)).toContain('audit')
  })

  it('guards screens by the same rule', () => {
    expect(allowed('audit', 'unit_user')).toBe(false)
    expect(allowed('audit', 'auditor')).toBe(true)
    expect(allowed('contract', 'engineer')).toBe(true) // not a menu entry: open to all signed-in users
    expect(allowed('home', null)).toBe(false)
    expect(allowed('dashboard', 'unit_user')).toBe(false)
    expect(allowed('simulate', 'unit_user')).toBe(false)
  })
})
