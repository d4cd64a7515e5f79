// Submitting a form: the API's field errors go next to their fields, anything else to a message.
import { ElMessage } from 'element-plus'
import { reactive, ref } from 'vue'

import { ApiError, type FieldErrorBody, fieldErrorMap } from '@/api/errors'
import { i18n } from '@/i18n'

export function useFormErrors() {
  const errors = reactive<Record<string, string>>({})
  const all = ref<FieldErrorBody[]>([])
  const saving = ref(false)

  function clear(): void {
    for (const k of Object.keys(errors)) delete errors[k]
    all.value = []
  }

  /** Errors under a nested path, e.g. `items[1].`, for a sub-editor. */
  function under(prefix: string): Record<string, string> {
    return fieldErrorMap(all.value, prefix)
  }

  /** Runs `action`; returns its result, or undefined when it failed (already reported). */
  async function submit<T>(action: () => Promise<T>): Promise<T | undefined> {
    clear()
    saving.value = true
    try {
      return await action()
    } catch (e) {
      if (e instanceof ApiError && e.fieldErrors.length > 0) {
        all.value = e.fieldErrors
        Object.assign(errors, fieldErrorMap(e.fieldErrors))
      }
      ElMessage.error(e instanceof Error ? e.message : String(e))
      return undefined
    } finally {
      saving.value = false
    }
  }

  /**
   * The browser's own checks before sending (`validate.ts`): each failing field shows its
   * message; returns whether all passed.
   */
  function precheck(checks: Record<string, string | undefined>): boolean {
    clear()
    const failed = Object.entries(checks).filter(([, m]) => m !== undefined) as [string, string][]
    for (const [field, message] of failed) errors[field] = message
    all.value = failed.map(([field, message]) => ({ field, message }))
    return failed.length === 0
  }

  /** A dialog's record: `update` when editing (`id` given), `create` otherwise; reports success. */
  async function save<T>(
    id: string | undefined,
    create: () => Promise<T>,
    update: (id: string) => Promise<T>,
  ): Promise<T | undefined> {
    const saved = await submit(() => (id ? update(id) : create()))
    if (saved !== undefined) ElMessage.success(i18n.global.t(id ? 'common.saved' : 'common.created'))
    return saved
  }

  return { errors, all, saving, clear, under, submit, save, precheck }
}
