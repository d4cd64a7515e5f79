import { describe, expect, it } from 'vitest'
import type { RouteRecordRaw } from 'vue-router'

import { router } from '@/router'

function names(routes: readonly RouteRecordRaw[]): string[] {
  return routes.flatMap((r) => [...(typeof r.name === 'string' ? [r.name] : []), ...names(r.children ?? [])])
}

describe('routes', () => {
  it('have names of their own (a second route of one name silently replaces the first)', () => {
    const all = names(router.options.routes)
    expect(all.filter((n, i) => all.indexOf(n) !== i)).toEqual([])
    expect(router.resolve({ name: 'report' }).path).toBe('/tickets/new')
    expect(router.resolve({ name: 'periodic-report', params: { id: 'x' } }).path).toBe('/reports/x')
  })
})
