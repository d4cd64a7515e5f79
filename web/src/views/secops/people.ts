// Whom a finding can be given to: the bureau and a vendor's manager choose among the vendor
// staff they can list; an engineer takes findings for themselves.
import { ref } from 'vue'

import { api, call, clean } from '@/api/client'
import { fetchAll } from '@/composables/list'
import { i18n } from '@/i18n'
import { role, session } from '@/session'

export interface Person {
  id: string
  name: string
}

export function usePeople() {
  const people = ref<Person[]>([])
  const names = ref(new Map<string, string>())

  async function load(): Promise<void> {
    const me = session.user ? [{ id: session.user.id, name: i18n.global.t('tickets.me') }] : []
    if (role.value !== 'admin' && role.value !== 'vendor_pm') {
      people.value = me
      return
    }
    const users = await fetchAll((query) => call(api.GET('/api/v1/users', { params: { query: clean(query) } }))).catch(() => [])
    names.value = new Map(users.map((u) => [u.id, u.display_name || u.username]))
    const staff = users
      .filter((u) => u.active && (u.role === 'engineer' || u.role === 'vendor_pm') && u.id !== session.user?.id)
      .map((u) => ({ id: u.id, name: u.display_name || u.username }))
    people.value = [...me, ...staff]
  }

  /** A person's name, “我” for the caller; someone the caller cannot list is “其他人员”. */
  function name(id: string | null | undefined): string {
    if (!id) return ''
    if (id === session.user?.id) return i18n.global.t('tickets.me')
    return names.value.get(id) ?? people.value.find((p) => p.id === id)?.name ?? i18n.global.t('secops.someoneElse')
  }

  return { people, load, name }
}
