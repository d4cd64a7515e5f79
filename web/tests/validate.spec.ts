import { describe, expect, it } from 'vitest'

import { boundsError, dateError, intervalError, isEmail, isPhone, minutesOf, rangeError, targetError } from '@/validate'

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

  it('working hours as domain::sla::hours reads them', () => {
    expect(minutesOf('08:30')).toBe(510)
    expect(minutesOf('24:00')).toBe(1440)
    for (const bad of ['8:30', '24:01', '12:60', '25:00', 'abc']) expect(minutesOf(bad), bad).toBeNull()
    expect(intervalError('08:30', '12:00')).toBeUndefined()
    expect(intervalError('12:00', '12:00')).toBeTruthy()
    expect(intervalError('13:30', '12:00')).toBeTruthy()
    expect(intervalError('8:30', '12:00')).toBeTruthy()
  })

  it('bounds in order and monitor targets as the server wants them', () => {
    expect(boundsError(10, 5)).toBeTruthy()
    expect(boundsError(5, 5)).toBeUndefined()
    expect(boundsError(null, 5)).toBeUndefined()
    expect(targetError('http', 'https://www.anyang.gov.cn/')).toBeUndefined()
    for (const bad of ['', 'www.anyang.gov.cn', 'https://', 'https:///x', 'http://a b']) expect(targetError('http', bad), bad).toBeTruthy()
    expect(targetError('tcp', '10.0.0.1:3306')).toBeUndefined()
    expect(targetError('tcp', ' ')).toBeTruthy()
  })
})
