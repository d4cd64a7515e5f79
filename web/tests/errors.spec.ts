import { describe, expect, it } from 'vitest'

import { call, clean, downloadName, queryString } from '@/api/client'
import { ApiError, fieldErrorMap, toApiError } from '@/api/errors'

import { json } from './setup'

describe('problem bodies', () => {
  it('become errors with field and row messages', () => {
    const e = toApiError(
      422,
      {
        code: 'validation',
        message: '输入有误',
        request_id: 'r1',
        field_errors: [
          { field: 'name', message: '必填' },
          { field: 'items[1].budget_fen', message: '须为整数' },
          { nonsense: true },
        ],
        row_errors: [{ row: 3, column: '所属单位', message: '单位不存在' }],
      },
      'fallback',
    )
    expect(e).toBeInstanceOf(ApiError)
    expect([e.status, e.code, e.message, e.requestId]).toEqual([422, 'validation', '输入有误', 'r1'])
    expect(e.fieldErrors).toHaveLength(2)
    expect(e.rowErrors).toEqual([{ row: 3, column: '所属单位', message: '单位不存在' }])
  })

  it('survive bodies that are not problems', () => {
    for (const body of [null, 'oops', [1, 2], { message: 42 }]) {
      const e = toApiError(502, body, '请求失败（502）')
      expect([e.status, e.message, e.fieldErrors.length]).toEqual([502, '请求失败（502）', 0])
    }
  })

  it('map fields, nested under a prefix, first message winning', () => {
    const errs = [
      { field: 'name', message: 'a' },
      { field: 'name', message: 'b' },
      { field: 'items[0].name', message: 'c' },
      { field: 'items[0].milestones[1].percent', message: 'd' },
      { field: 'items[10].name', message: 'e' },
    ]
    expect(fieldErrorMap(errs)).toMatchObject({ name: 'a', 'items[0].name': 'c' })
    expect(fieldErrorMap(errs, 'items[0].')).toEqual({ name: 'c', 'milestones[1].percent': 'd' })
    expect(fieldErrorMap(errs, 'items[1].')).toEqual({})
  })
})

describe('call', () => {
  const ok = <T>(data: T) => Promise.resolve({ data, response: json(200, data) })

  it('returns data of a success', async () => {
    await expect(call(ok({ id: 'x' }))).resolves.toEqual({ id: 'x' })
  })

  it('throws the problem of a failure', async () => {
    const body = { code: 'not_found', message: '记录不存在', request_id: 'r' }
    const failed = Promise.resolve({ error: body, response: json(404, body) })
    await expect(call(failed)).rejects.toMatchObject({ status: 404, code: 'not_found', message: '记录不存在' })
  })

  it('turns a network failure into an error with status 0', async () => {
    await expect(call(Promise.reject(new TypeError('Failed to fetch')))).rejects.toMatchObject({ status: 0 })
  })
})

describe('queries and downloads', () => {
  it('leave out empty values', () => {
    expect(clean({ q: '', unit_id: null, page: 2, sort: undefined, level: 0 })).toEqual({ page: 2, level: 0 })
    expect(queryString({ q: '局 ', page: 1, x: '' })).toBe('?q=%E5%B1%80+&page=1')
    expect(queryString({})).toBe('')
  })

  it('read the UTF-8 file name of a download', () => {
    const d = `attachment; filename="_____-20261122.xlsx"; filename*=UTF-8''${encodeURIComponent('信息系统-20261122.xlsx')}`
    expect(downloadName(d, 'x.xlsx')).toBe('信息系统-20261122.xlsx')
    expect(downloadName('attachment; filename="a.xlsx"', 'x.xlsx')).toBe('a.xlsx')
    expect(downloadName(null, 'x.xlsx')).toBe('x.xlsx')
    expect(downloadName("attachment; filename*=UTF-8''%E0%A4%A", 'x.xlsx')).toBe('x.xlsx')
  })
})
