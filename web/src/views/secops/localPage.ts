// A page of a list already held in full (the 等保 lists come whole from the API), for ResourceTable.
import { computed, ref, type Ref, watch } from 'vue'

export function useLocalPage<T>(rows: Ref<T[]>, size = 20) {
  const page = ref(1)
  const pageSize = ref(size)
  const total = computed(() => rows.value.length)
  const items = computed(() => rows.value.slice((page.value - 1) * pageSize.value, page.value * pageSize.value))
  // A shorter list (a filter) never leaves the page past its end.
  watch(total, (n) => {
    const last = Math.max(1, Math.ceil(n / pageSize.value))
    if (page.value > last) page.value = last
  })
  function onPageSize(n: number): void {
    pageSize.value = n
    page.value = 1
  }
  return { page, pageSize, total, items, onPage: (p: number) => (page.value = p), onPageSize }
}
