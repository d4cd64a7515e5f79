import { ElMessage, ElMessageBox } from 'element-plus'

import { announceFiled, isApproval } from '@/approvals'
import { i18n } from '@/i18n'

/** Other words for the same question (ending a maintenance window is not deleting it). */
export interface ConfirmTexts {
  message?: string
  title?: string
  button?: string
  done?: string
}

/**
 * Asks before deleting `name`; runs `action` and reports the outcome: true when deleted,
 * `'requested'` when the API filed the removal for the bureau's approval (202), false otherwise.
 */
export async function confirmDelete(
  name: string,
  action: () => Promise<unknown>,
  texts: ConfirmTexts = {},
): Promise<boolean | 'requested'> {
  const t = i18n.global.t
  try {
    await ElMessageBox.confirm(texts.message ?? t('common.deleteConfirm', { name }), texts.title ?? t('common.deleteTitle'), {
      type: 'warning',
      confirmButtonText: texts.button ?? t('common.delete'),
      cancelButtonText: t('common.cancel'),
      confirmButtonClass: 'el-button--danger',
    })
  } catch {
    return false
  }
  try {
    const result = await action()
    if (isApproval(result)) {
      announceFiled()
      return 'requested'
    }
    ElMessage.success(texts.done ?? t('common.deleted'))
    return true
  } catch (e) {
    ElMessage.error(e instanceof Error ? e.message : String(e))
    return false
  }
}

/** Runs an export and reports the outcome. */
export async function runExport(action: () => Promise<string>): Promise<void> {
  try {
    const name = await action()
    ElMessage.success(i18n.global.t('common.exported', { name }))
  } catch (e) {
    ElMessage.error(e instanceof Error ? e.message : String(e))
  }
}
