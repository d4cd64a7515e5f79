import { beforeEach, describe, expect, it, vi } from 'vitest'

import { useVoid } from '@/composables/void'
import { i18n } from '@/i18n'

const { prompt, success, error } = vi.hoisted(() => ({ prompt: vi.fn(), success: vi.fn(), error: vi.fn() }))

vi.mock('element-plus', async (original) => ({
  ...(await original<typeof import('element-plus')>()),
  ElMessageBox: { prompt },
  ElMessage: { success, error },
}))

beforeEach(() => {
  i18n.global.locale.value = 'zh-CN'
  prompt.mockReset()
  success.mockReset()
  error.mockReset()
})

function setup(action = vi.fn(async () => ({}))) {
  const reload = vi.fn()
  const { annul } = useVoid({ scope: 'continuity.backups', title: 'voidRunTitle', action, reload })
  return { annul, action, reload }
}

describe('useVoid', () => {
  it('asks for a reason in the section’s words, voids with it trimmed, reports and reloads', async () => {
    prompt.mockResolvedValue({ value: '  登记错了  ' })
    const { annul, action, reload } = setup()
    expect(await annul({ id: 'r1' })).toBe(true)
    const [message, title, opts] = prompt.mock.calls[0]!
    expect(message).toBe(i18n.global.t('continuity.backups.voidReason'))
    expect(title).toBe('作废备份记录')
    expect(opts.confirmButtonText).toBe('作废')
    expect(opts.confirmButtonClass).toBe('el-button--danger')
    expect(opts.inputValidator('  ')).toBe('请填写原因')
    expect(opts.inputValidator('原因')).toBe(true)
    expect(action).toHaveBeenCalledWith('r1', '登记错了')
    expect(success).toHaveBeenCalledWith('已作废')
    expect(reload).toHaveBeenCalledOnce()
  })

  it('does nothing when the prompt is cancelled', async () => {
    prompt.mockRejectedValue('cancel')
    const { annul, action, reload } = setup()
    expect(await annul({ id: 'r1' })).toBe(false)
    expect(action).not.toHaveBeenCalled()
    expect(reload).not.toHaveBeenCalled()
    expect(success).not.toHaveBeenCalled()
  })

  it('reports a refusal and keeps the list as it is', async () => {
    prompt.mockResolvedValue({ value: '原因' })
    const { annul, reload } = setup(vi.fn(async () => Promise.reject(new Error('已作废的记录不能再作废'))))
    expect(await annul({ id: 'r1' })).toBe(false)
    expect(error).toHaveBeenCalledWith('已作废的记录不能再作废')
    expect(reload).not.toHaveBeenCalled()
    expect(success).not.toHaveBeenCalled()
  })
})
