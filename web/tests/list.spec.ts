import { describe, expect, it, vi } from 'vitest'

import type { Query } from '@/api/client'
import { fetchAll, type Page, useList } from '@/composables/list'

function page<T>(items: T[], total = items.length): Page<T> {
  return { items, total, page: 1, page_size: 20 }
}

describe('useList', () => {
  it('sends paging, sorting, search and filters, and starts again at page 1 on new criteria', async () => {
    const fetch = vi.fn<(q: Query) => Promise<Page<{ id: string }>>>(async () => page([{ id: 'a' }], 45))
    const list = useList({ fetch, filters: { unit_id: '' }, sort: 'name' })
    await list.load()
    expect(fetch).toHaveBeenLastCalledWith({ unit_id: '', q: '', sort: 'name', order: 'asc', page: 1, page_size: 20 })
    expect(list.total.value).toBe(45)

    await list.onPage(3)
    expect(fetch.mock.lastCall?.[0]).toMatchObject({ page: 3 })
    list.filters.unit_id = 'u1'
    list.q.value = '政务'
    await list.search()
    expect(fetch.mock.lastCall?.[0]).toMatchObject({ unit_id: 'u1', q: '政务', page: 1 })
    await list.onSort({ prop: 'updated_at', order: 'descending' })
    expect(fetch.mock.lastCall?.[0]).toMatchObject({ sort: 'updated_at', order: 'desc', page: 1 })
    await list.onSort({ prop: null, order: null })
    expect(fetch.mock.lastCall?.[0]).toMatchObject({ sort: 'name', order: 'asc' })
    await list.reset()
    expect(fetch.mock.lastCall?.[0]).toMatchObject({ unit_id: '', q: '' })
    // The export uses the same criteria, without paging.
    expect(list.criteria.value).not.toHaveProperty('page')
  })

  it('never lets a slow earlier answer overwrite a newer one', async () => {
    let release: (p: Page<{ id: string }>) => void = () => {}
    const slow = new Promise<Page<{ id: string }>>((r) => (release = r))
    const fetch = vi
      .fn<(q: Query) => Promise<Page<{ id: string }>>>()
      .mockReturnValueOnce(slow)
      .mockResolvedValueOnce(page([{ id: 'new' }]))
    const list = useList({ fetch, filters: {} })
    const first = list.load()
    await list.load()
    release(page([{ id: 'old' }]))
    await first
    expect(list.items.value.map((x) => x.id)).toEqual(['new'])
    expect(list.loading.value).toBe(false)
  })

  it('keeps the error of a failed load and shows no stale rows', async () => {
    const fetch = vi.fn<(q: Query) => Promise<Page<{ id: string }>>>()
    fetch.mockResolvedValueOnce(page([{ id: 'a' }]))
    fetch.mockRejectedValueOnce(new Error('boom'))
    const list = useList({ fetch, filters: {} })
    await list.load()
    await list.load()
    expect(list.items.value).toEqual([])
    expect(list.error.value?.message).toContain('boom')
  })
})

describe('fetchAll', () => {
  it('follows pages until the total is reached', async () => {
    const fetch = vi.fn(async (q: Query) => {
      const p = Number(q.page)
      return page(p === 1 ? Array.from({ length: 500 }, (_, i) => ({ id: `${i}` })) : [{ id: 'last' }], 501)
    })
    expect(await fetchAll(fetch)).toHaveLength(501)
    expect(fetch).toHaveBeenCalledTimes(2)
  })
})
