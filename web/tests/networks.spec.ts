import { describe, expect, it } from 'vitest'

import { entryMessages, splitEntries } from '@/networks'

describe('network entries', () => {
  it('are split on lines, commas and spaces, without blanks or repeats', () => {
    expect(splitEntries('10.2.3.0/24\n zw.anyang.gov.cn ,10.2.3.4；*.gov.cn、10.2.3.0/24\n\n')).toEqual([
      '10.2.3.0/24',
      'zw.anyang.gov.cn',
      '10.2.3.4',
      '*.gov.cn',
    ])
    expect(splitEntries('  \n ')).toEqual([])
  })

  it('carry the API’s errors to the entry they name, in order, the field’s own first', () => {
    const errors = {
      'addresses[2]': '本机地址始终禁止',
      name: '必填',
      'addresses[0]': '应为 IP、网段或域名',
      addresses: '最多 100 项',
      'entries[1]': '别的字段',
    }
    const label = (n: number, v: string) => `第 ${n} 项“${v}”：`
    expect(entryMessages(errors, 'addresses', ['x y', '10.0.0.0/8', '127.0.0.1'], label)).toEqual([
      '最多 100 项',
      '第 1 项“x y”：应为 IP、网段或域名',
      '第 3 项“127.0.0.1”：本机地址始终禁止',
    ])
    expect(entryMessages({}, 'addresses', [], label)).toEqual([])
    // An index past the list (it changed since) still shows its message.
    expect(entryMessages({ 'entries[4]': '无效' }, 'entries', [], label)).toEqual(['第 5 项“”：无效'])
  })
})
