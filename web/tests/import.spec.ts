import { flushPromises, mount } from '@vue/test-utils'
import ElementPlus from 'element-plus'
import { beforeEach, describe, expect, it } from 'vitest'

import ImportDialog from '@/components/ImportDialog.vue'
import { i18n } from '@/i18n'

import { fetchMock, json } from './setup'

const global = { plugins: [ElementPlus, i18n], stubs: { transition: false, 'transition-group': false } }

async function chooseAndRun(): Promise<void> {
  const input = document.body.querySelector<HTMLInputElement>('input[type="file"]')!
  const file = new File(['PK'], 'systems.xlsx', {
    type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  })
  Object.defineProperty(input, 'files', { value: [file] })
  input.dispatchEvent(new Event('change'))
  await flushPromises()
  document.body.querySelector<HTMLButtonElement>('[data-testid="import-run"]')!.click()
  await flushPromises()
}

beforeEach(() => {
  fetchMock.mockReset()
  document.body.innerHTML = ''
})

describe('ImportDialog', () => {
  it('lists every rejected row with its column, and imports nothing', async () => {
    fetchMock.mockResolvedValueOnce(
      json(422, {
        code: 'import_rows',
        message: '导入失败：2 处错误，未导入任何数据',
        request_id: 'r',
        row_errors: [
          { row: 3, column: '所属单位', message: '单位“不存在局”不存在' },
          { row: 7, column: '等保级别', message: '等保级别须为 1 到 5' },
        ],
      }),
    )
    const w = mount(ImportDialog, {
      props: { modelValue: true, title: '导入信息系统', path: '/api/v1/systems/import' },
      global,
      attachTo: document.body,
    })
    await flushPromises()
    await chooseAndRun()
    const [input, init] = fetchMock.mock.calls[0]
    expect(String(input)).toBe('/api/v1/systems/import')
    expect((init?.body as FormData).get('file')).toBeInstanceOf(File)
    const table = document.body.querySelector('[data-testid="import-errors"]')!
    expect(table.textContent).toContain('单位“不存在局”不存在')
    expect(table.textContent).toContain('等保级别须为 1 到 5')
    expect(document.body.textContent).toContain('导入失败：2 处错误，未导入任何数据')
    expect(w.emitted('done')).toBeUndefined()
  })

  it('closes and reports the counts when the file goes through', async () => {
    fetchMock.mockResolvedValueOnce(json(200, { created: 12, updated: 3 }))
    const w = mount(ImportDialog, {
      props: { modelValue: true, title: '导入资产', path: '/api/v1/assets/import' },
      global,
      attachTo: document.body,
    })
    await flushPromises()
    await chooseAndRun()
    expect(w.emitted('done')).toHaveLength(1)
    expect(w.emitted('update:modelValue')?.at(-1)).toEqual([false])
    expect(document.body.textContent).toContain('导入完成：新建 12 条，更新 3 条')
  })
})
