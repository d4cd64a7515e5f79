// The bureau voids a run or a drill with a reason: asked in a prompt that will not take an
// empty one (the API would refuse it).
import { ElMessageBox } from 'element-plus'

import { i18n } from '@/i18n'

/** The reason typed, or null when the bureau thought better of it. */
export async function askVoidReason(title: string): Promise<string | null> {
  const t = i18n.global.t
  try {
    const v = await ElMessageBox.prompt(t('continuity.backups.voidReason'), title, {
      confirmButtonText: t('continuity.backups.void'),
      cancelButtonText: t('common.cancel'),
      confirmButtonClass: 'el-button--danger',
      inputValidator: (s: string) => s.trim().length > 0 || t('continuity.backups.reasonRequired'),
    })
    return v.value.trim()
  } catch {
    return null
  }
}
