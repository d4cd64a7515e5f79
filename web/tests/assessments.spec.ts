import { describe, expect, it } from 'vitest'

import { gradeText, paymentText, points, previousPeriod } from '@/assessments'
import { i18n } from '@/i18n'

const payment = (p: Partial<{ deduction_fen: number | null; payable_fen: number | null; negotiate: boolean; breach: boolean }>) => ({
  payment: { base_fen: 10_000_000, deduction_fen: 0, payable_fen: 10_000_000, negotiate: false, breach: false, ...p },
})

describe('assessments', () => {
  it('assesses the last whole period before today, in the bureau zone', () => {
    // 23:30 on 31 March in UTC is already 1 April in Beijing: the last quarter is Q1.
    const at = new Date('2026-03-31T16:30:00Z')
    expect(previousPeriod('quarter', at)).toEqual(['2026-01-01', '2026-03-31'])
    expect(previousPeriod('month', at)).toEqual(['2026-03-01', '2026-03-31'])
    expect(previousPeriod('half', at)).toEqual(['2025-07-01', '2025-12-31'])
    expect(previousPeriod('year', at)).toEqual(['2025-01-01', '2025-12-31'])
    expect(previousPeriod('month', new Date('2026-01-15T00:00:00Z'))).toEqual(['2025-12-01', '2025-12-31'])
    expect(previousPeriod('month', new Date('2028-03-10T00:00:00Z'))).toEqual(['2028-02-01', '2028-02-29'])
    expect(previousPeriod('quarter', new Date('2026-12-02T00:00:00Z'))).toEqual(['2026-07-01', '2026-09-30'])
  })

  it('says what the vendor is paid, and when no amount is computed', () => {
    i18n.global.locale.value = 'zh-CN'
    expect(paymentText(payment({ deduction_fen: 210_000, payable_fen: 9_790_000 }))).toBe('扣减 ¥2,100.00，应付 ¥97,900.00')
    expect(paymentText(payment({ negotiate: true, deduction_fen: null, payable_fen: null }))).toBe('费用另行商议')
    expect(paymentText(payment({ breach: true, deduction_fen: null, payable_fen: null }))).toContain('违约')
    expect(points(89.5)).toBe('89.5')
    expect(points(10)).toBe('10')
    expect(points(null)).toBe('—')
    i18n.global.locale.value = 'en'
    expect(gradeText({ grade: '良好', grade_en: 'good' })).toBe('good')
    expect(paymentText(payment({ negotiate: true }))).toBe('To be negotiated')
    i18n.global.locale.value = 'zh-CN'
    expect(gradeText({ grade: '良好', grade_en: 'good' })).toBe('良好')
  })
})
