import { describe, expect, it } from 'vitest'

import { dateError, isEmail, isPhone, rangeError } from '@/validate'

// The same cases as the server's (domain::error phone_tests, registry date_tests).
describe('the browser repeats the server rules', () => {
  it('telephones as written in China', () => {
    for (const ok of ['13800000000', '0372-1234567', '(0372) 123 4567', '+86 138 0000 0000', '12345', '0372-1234567转8012', '010-12345678 ext. 12']) {
      expect(isPhone(ok), ok).toBe(true)
    }
    for (const bad of ['abc-不是电话', '1234', '138-0000-0000-0000-0000-12', '13800000000转', '86+138']) {
      expect(isPhone(bad), bad).toBe(false)
    }
  })

  it('e-mail addresses', () => {
    expect(isEmail('lisi@anyang.gov.cn')).toBe(true)
    for (const bad of ['a@b', 'li si@example.cn', '@example.cn', 'a@@b.cn', 'a@b.cn.']) expect(isEmail(bad), bad).toBe(false)
  })

  it('dates that exist, in this century, never rolled over', () => {
    expect(dateError('2026-02-28')).toBeUndefined()
    expect(dateError('2028-02-29')).toBeUndefined()
    expect(dateError('2026-02-29')).toBeTruthy()
    expect(dateError('2099-13-45')).toBeTruthy()
    expect(dateError('2100-01-01')).toBeTruthy()
    expect(dateError('1999-12-31')).toBeTruthy()
  })

  it('ranges that run forwards', () => {
    expect(rangeError('2026-03-01', '2026-02-01')).toBeTruthy()
    expect(rangeError('2026-02-01', '2026-02-01')).toBeUndefined()
    expect(rangeError('', '2026-02-01')).toBeUndefined()
  })
})
