import { ElMessage, ElMessageBox } from 'element-plus'

import { i18n } from '@/i18n'

/** Asks before deleting `name`; runs `action` and reports the outcome. True when deleted. */
export async function confirmDelete(name: string, action: () => Promise<unknown>): Promise<boolean> {
  const t = i18n.global.t
  try {
    await ElMessageBox.confirm(t('common.deleteConfirm', { name }), t('common.deleteTitle'), {
      type: 'warning',
      confirmButtonText: t('common.delete'),
      cancelButtonText: t('common.cancel'),
      confirmButtonClass: 'el-button--danger',
    })
  } catch {
    return false
  }
  try {
    await action()
    ElMessage.success(t('common.deleted'))
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
