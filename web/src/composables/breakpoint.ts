import { onBeforeUnmount, ref } from 'vue'

/** Phones (engineers in a machine room) get cards and full-screen dialogs instead of tables. */
export const MOBILE_QUERY = '(max-width: 767px)'

export function useIsMobile() {
  const query = typeof window !== 'undefined' && window.matchMedia ? window.matchMedia(MOBILE_QUERY) : null
  const isMobile = ref(query?.matches ?? false)
  const update = (e: MediaQueryListEvent) => (isMobile.value = e.matches)
  query?.addEventListener('change', update)
  onBeforeUnmount(() => query?.removeEventListener('change', update))
  return isMobile
}
