// Names for the ids in lists (a system's unit, a contract's vendor), loaded once per screen.
import { computed, ref, type Ref } from 'vue'

import { api, call, clean, type Query, type Schemas } from '@/api/client'

import { fetchAll, type Page } from './list'

interface Named {
  id: string
  name: string
}

function useNames<T extends Named>(fetch: (q: Query) => Promise<Page<T>>) {
  const rows = ref([]) as Ref<T[]>
  const byId = computed(() => new Map(rows.value.map((r) => [r.id, r])))
  async function load(): Promise<void> {
    try {
      rows.value = await fetchAll(fetch)
    } catch {
      rows.value = []
    }
  }
  const name = (id: string | null | undefined) => (id ? (byId.value.get(id)?.name ?? id) : '')
  return { rows, byId, load, name }
}

export function useUnits() {
  return useNames<Schemas['Unit']>((query) => call(api.GET('/api/v1/units', { params: { query: clean(query) } })))
}

export function useVendors() {
  return useNames<Schemas['Vendor']>((query) => call(api.GET('/api/v1/vendors', { params: { query: clean(query) } })))
}

export function useSystems() {
  return useNames<Schemas['System']>((query) => call(api.GET('/api/v1/systems', { params: { query: clean(query) } })))
}
