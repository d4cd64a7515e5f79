// Voiding a record (a backup run, a restore drill, a security report): the bureau gives a reason
// in a prompt that will not take an empty one (the API would refuse it), the API voids the record,
// the outcome is reported and the list is read again. A void record stays, struck through.
import { ElMessage, ElMessageBox } from 'element-plus'

import { i18n } from '@/i18n'

export interface VoidOptions {
  /**
   * The messages' section, e.g. `continuity.backups`: it holds `voidReason` (the question),
   * `void` (the button), `reasonRequired` and `voided` (reported once done).
   */
  scope: string
  /** The prompt's title, a key in `scope`, e.g. `voidRunTitle`. */
  title: string
  /** Voids the record with the reason given. */
  action: (id: string, reason: string) => Promise<unknown>
  /** Reads the list again once voided. */
  reload: () => unknown
}

/** The reason typed, or null when the bureau thought better of it. */
export async function askVoidReason(scope: string, title: string): Promise<string | null> {
  const t = i18n.global.t
  try {
    const v = await ElMessageBox.prompt(t(`${scope}.voidReason`), title, {
      confirmButtonText: t(`${scope}.void`),
      cancelButtonText: t('common.cancel'),
      confirmButtonClass: 'el-button--danger',
      inputValidator: (s: string) => s.trim().length > 0 || t(`${scope}.reasonRequired`),
    })
    return v.value.trim()
  } catch {
    return null
  }
}

export function useVoid(opts: VoidOptions) {
  /** Asks for the reason and voids `row`; true when it was voided (failures are reported). */
  async function annul(row: { id: string }): Promise<boolean> {
    const t = i18n.global.t
    const reason = await askVoidReason(opts.scope, t(`${opts.scope}.${opts.title}`))
    if (reason === null) return false
    try {
      await opts.action(row.id, reason)
      ElMessage.success(t(`${opts.scope}.voided`))
      void opts.reload()
      return true
    } catch (e) {
      ElMessage.error(e instanceof Error ? e.message : String(e))
      return false
    }
  }

  return { annul }
}
