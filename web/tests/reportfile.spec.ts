import { flushPromises, mount } from '@vue/test-utils'
import ElementPlus from 'element-plus'
import { describe, expect, it } from 'vitest'

import ReportFile from '@/components/ReportFile.vue'
import { i18n } from '@/i18n'

const props = { label: '演练报告', accept: '.pdf,.txt', button: '选择文件', hint: '支持 PDF', testid: 'drill-file' }

describe('ReportFile', () => {
  it('takes one file, shows it, and forgets it when the model is set back to null', async () => {
    const w = mount(ReportFile, {
      props: { ...props, modelValue: null, 'onUpdate:modelValue': (f: File | null) => w.setProps({ modelValue: f }) },
      global: { plugins: [ElementPlus, i18n] },
    })
    expect(w.get('[data-testid="drill-file"]').text()).toContain('选择文件')
    expect(w.text()).toContain('支持 PDF')
    const input = w.get('input[type=file]')
    expect(input.attributes('accept')).toBe('.pdf,.txt')
    const report = new File(['x'], 'report.pdf', { type: 'application/pdf' })
    Object.defineProperty(input.element, 'files', { value: [report] })
    await input.trigger('change')
    await flushPromises()
    expect((w.props('modelValue') as File | null)?.name).toBe('report.pdf')
    expect(w.text()).toContain('report.pdf')

    await w.setProps({ modelValue: null })
    await flushPromises()
    expect(w.text()).not.toContain('report.pdf')
  })
})
