// Problem bodies from the API ({code, message, field_errors?, row_errors?, request_id}) as one
// error type the screens can show: a message, and messages per field or per spreadsheet row.

export interface FieldErrorBody {
  field: string
  message: string
}

export interface RowErrorBody {
  row: number
  column: string
  message: string
}

export class ApiError extends Error {
  readonly status: number
  readonly code: string
  readonly fieldErrors: FieldErrorBody[]
  readonly rowErrors: RowErrorBody[]
  readonly requestId: string

  constructor(
    status: number,
    code: string,
    message: string,
    fieldErrors: FieldErrorBody[] = [],
    rowErrors: RowErrorBody[] = [],
    requestId = '',
  ) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.fieldErrors = fieldErrors
    this.rowErrors = rowErrors
    this.requestId = requestId
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function list<T>(v: unknown, ok: (x: Record<string, unknown>) => T | null): T[] {
  if (!Array.isArray(v)) return []
  return v.flatMap((x) => {
    const item = isRecord(x) ? ok(x) : null
    return item === null ? [] : [item]
  })
}

/** Reads a problem body defensively: a proxy or a crash may answer with anything. */
export function toApiError(status: number, body: unknown, fallback: string): ApiError {
  if (!isRecord(body)) return new ApiError(status, 'http_' + status, fallback)
  const message = typeof body.message === 'string' && body.message ? body.message : fallback
  const code = typeof body.code === 'string' ? body.code : 'http_' + status
  const fields = list(body.field_errors, (x) =>
    typeof x.field === 'string' && typeof x.message === 'string' ? { field: x.field, message: x.message } : null,
  )
  const rows = list(body.row_errors, (x) =>
    typeof x.row === 'number' && typeof x.message === 'string'
      ? { row: x.row, column: typeof x.column === 'string' ? x.column : '', message: x.message }
      : null,
  )
  const requestId = typeof body.request_id === 'string' ? body.request_id : ''
  return new ApiError(status, code, message, fields, rows, requestId)
}

/**
 * Field errors keyed by field path, for `el-form-item :error`. With `prefix` (e.g. `items[2].`)
 * only the errors under it are kept, with the prefix removed, so a nested editor can show its own.
 * The first message for a field wins.
 */
export function fieldErrorMap(errors: FieldErrorBody[], prefix = ''): Record<string, string> {
  const out: Record<string, string> = {}
  for (const e of errors) {
    if (!e.field.startsWith(prefix)) continue
    const key = e.field.slice(prefix.length)
    if (key && !(key in out)) out[key] = e.message
  }
  return out
}
