// A server-side list: paging, sorting, free text and filters, all sent to the API, which scopes
// the answer to the caller. The same query drives the xlsx export.
import { computed, reactive, ref, type Ref } from 'vue'

import { download, type Query, type QueryValue } from '@/api/client'
import { ApiError } from '@/api/errors'

export interface Page<T> {
  items: T[]
  total: number
  page: number
  page_size: number
}

export type Order = 'asc' | 'desc'

export interface ListOptions<T, F extends Record<string, QueryValue>> {
  fetch: (query: Query) => Promise<Page<T>>
  filters: F
  sort?: string
  order?: Order
  pageSize?: number
}

export function useList<T, F extends Record<string, QueryValue>>(opts: ListOptions<T, F>) {
  const initialFilters = { ...opts.filters }
  const items = ref([]) as Ref<T[]>
  const total = ref(0)
  const page = ref(1)
  const pageSize = ref(opts.pageSize ?? 20)
  const sort = ref(opts.sort ?? '')
  const order = ref<Order>(opts.order ?? 'asc')
  const q = ref('')
  const filters = reactive({ ...opts.filters }) as F
  const loading = ref(false)
  const error = ref<ApiError | null>(null)
  let latest = 0

  /** Filters, search and sort: what the list and its export have in common. */
  const criteria = computed<Query>(() => ({
    ...filters,
    q: q.value,
    sort: sort.value,
    order: sort.value ? order.value : '',
  }))

  async function load(): Promise<void> {
    const ticket = ++latest
    loading.value = true
    try {
      const res = await opts.fetch({ ...criteria.value, page: page.value, page_size: pageSize.value })
      // A slower earlier answer never overwrites a newer one.
      if (ticket !== latest) return
      items.value = res.items
      total.value = res.total
      error.value = null
    } catch (e) {
      if (ticket !== latest) return
      error.value = e instanceof ApiError ? explained(e) : new ApiError(0, 'unknown', String(e))
      items.value = []
      total.value = 0
    } finally {
      if (ticket === latest) loading.value = false
    }
  }

  /** New criteria start again at page 1. */
  function search(): Promise<void> {
    page.value = 1
    return load()
  }

  function reset(): Promise<void> {
    Object.assign(filters, initialFilters)
    q.value = ''
    return search()
  }

  function onSort(e: { prop: string | null; order: 'ascending' | 'descending' | null }): Promise<void> {
    sort.value = e.order && e.prop ? e.prop : (opts.sort ?? '')
    order.value = e.order === 'descending' ? 'desc' : e.order ? 'asc' : (opts.order ?? 'asc')
    return search()
  }

  function onPage(p: number): Promise<void> {
    page.value = p
    return load()
  }

  function onPageSize(size: number): Promise<void> {
    pageSize.value = size
    return search()
  }

  /** Downloads the current criteria, unpaged, as xlsx. */
  function exportXlsx(path: string, fallbackName: string): Promise<string> {
    return download(path, criteria.value, fallbackName)
  }

  return {
    items,
    total,
    page,
    pageSize,
    sort,
    order,
    q,
    filters,
    loading,
    error,
    criteria,
    load,
    search,
    reset,
    onSort,
    onPage,
    onPageSize,
    exportXlsx,
  }
}

/** Every row of a list, page by page (for choosing from units, vendors, systems in forms). */
export async function fetchAll<T>(fetch: (query: Query) => Promise<Page<T>>, max = 20): Promise<T[]> {
  const out: T[] = []
  for (let page = 1; page <= max; page++) {
    const res = await fetch({ page, page_size: 500 })
    out.push(...res.items)
    if (out.length >= res.total || res.items.length === 0) break
  }
  return out
}

/** A refused filter says which one and why (“结束时间早于开始时间”), not only that it was refused. */
function explained(e: ApiError): ApiError {
  if (e.fieldErrors.length === 0) return e
  const why = e.fieldErrors.map((f) => `${f.field}: ${f.message}`).join('；')
  return new ApiError(e.status, e.code, `${e.message}（${why}）`, e.fieldErrors, e.rowErrors, e.requestId)
}
