import { describe, expect, it } from 'vitest'

import { allowed, menuFor } from '@/menu'

describe('the menu follows the role', () => {
  const names = (role: Parameters<typeof menuFor>[0]) => menuFor(role).map((m) => m.name)

  it('gives the bureau and the auditor everything, the audit log included', () => {
    expect(names('admin')).toContain('audit')
    expect(names('auditor')).toEqual(names('admin'))
  })

  it('keeps unit users and engineers to their work', () => {
    expect(names('unit_user')).toEqual(['dashboard', 'tickets', 'inspections', 'monitoring', 'approvals', 'contracts', 'systems', 'assets', 'vendors', 'simulate'])
    expect(names('unit_user')).not.toContain('policies')
    expect(names('engineer')).not.toContain('audit')
    expect(names('engineer')).not.toContain('users')
    expect(names('vendor_pm')).toContain('users')
    expect(names(null)).toEqual([])
  })

  it('guards screens by the same rule', () => {
    expect(allowed('audit', 'unit_user')).toBe(false)
    expect(allowed('audit', 'auditor')).toBe(true)
    expect(allowed('contract', 'engineer')).toBe(true) // not a menu entry: open to all signed-in users
    expect(allowed('dashboard', null)).toBe(false)
  })
})
