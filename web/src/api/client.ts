// The typed API client, generated from openapi.json (src/api/schema.d.ts) and wrapped so that
// every failure becomes an ApiError. The browser session is an HttpOnly cookie: no token is kept
// in JavaScript.
import createClient from 'openapi-fetch'

import { ApiError, toApiError } from './errors'
import type { components, paths } from './schema'

export type Schemas = components['schemas']

export const api = createClient<paths>({ baseUrl: '', credentials: 'same-origin' })

const state = {
  language: 'zh-CN',
  onUnauthenticated: (): void => {},
}

/** Error messages from the API come in the UI's language. */
export function setApiLanguage(language: string): void {
  state.language = language
}

/** Called when a request answers 401 (session expired or ended elsewhere). */
export function onUnauthenticated(handler: () => void): void {
  state.onUnauthenticated = handler
}

api.use({
  onRequest({ request }) {
    request.headers.set('Accept-Language', state.language)
    return request
  },
  onResponse({ request, response }) {
    if (response.status === 401 && !request.url.includes('/auth/')) state.onUnauthenticated()
    return response
  },
})

function networkMessage(): string {
  return state.language === 'en' ? 'Cannot reach the server' : '无法连接服务器'
}

function httpMessage(status: number): string {
  return state.language === 'en' ? `Request failed (${status})` : `请求失败（${status}）`
}

interface FetchResult<T> {
  data?: T
  error?: unknown
  response: Response
}

/** Awaits an openapi-fetch call and returns its data, or throws an ApiError. */
export async function call<T>(request: Promise<FetchResult<T>>): Promise<T> {
  let result: FetchResult<T>
  try {
    result = await request
  } catch {
    throw new ApiError(0, 'network', networkMessage())
  }
  if (!result.response.ok) {
    throw toApiError(result.response.status, result.error, httpMessage(result.response.status))
  }
  return result.data as T
}

/** The file name of a download, from `filename*=UTF-8''…` or `filename="…"`. */
export function downloadName(disposition: string | null, fallback: string): string {
  if (!disposition) return fallback
  const star = /filename\*=UTF-8''([^;]+)/i.exec(disposition)
  if (star?.[1]) {
    try {
      return decodeURIComponent(star[1])
    } catch {
      // fall through to the plain name
    }
  }
  const plain = /filename="([^"]+)"/i.exec(disposition)
  return plain?.[1] ?? fallback
}

export type QueryValue = string | number | boolean | null | undefined
export type Query = Record<string, QueryValue>

/**
 * The non-empty values of a query, for the generated client: an empty filter means "any", and
 * must not be sent as `q=` or `null`. Typed loosely on purpose: every screen builds its query from
 * the same list state, and the API names any parameter it refuses.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function clean(query: Query): any {
  const out: Record<string, string | number | boolean> = {}
  for (const [k, v] of Object.entries(query)) {
    if (v === null || v === undefined || v === '') continue
    out[k] = v
  }
  return out
}

/** `?a=1&b=x` from the non-empty values of a query. */
export function queryString(query: Query): string {
  const p = new URLSearchParams()
  for (const [k, v] of Object.entries(query)) {
    if (v === null || v === undefined || v === '') continue
    p.set(k, String(v))
  }
  const s = p.toString()
  return s ? '?' + s : ''
}

/** Fetches a file (an xlsx export) with the session and hands it to the browser as a download. */
export async function download(path: string, query: Query, fallbackName: string): Promise<string> {
  let res: Response
  try {
    res = await fetch(path + queryString(query), {
      credentials: 'same-origin',
      headers: { 'Accept-Language': state.language },
    })
  } catch {
    throw new ApiError(0, 'network', networkMessage())
  }
  if (!res.ok) {
    const body: unknown = await res.json().catch(() => null)
    throw toApiError(res.status, body, httpMessage(res.status))
  }
  const name = downloadName(res.headers.get('content-disposition'), fallbackName)
  const url = URL.createObjectURL(await res.blob())
  const a = document.createElement('a')
  a.href = url
  a.download = name
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
  return name
}

/** Uploads a file as the multipart field `file`, with any other text fields. */
export async function upload<T>(path: string, file: File, fields: Record<string, string> = {}): Promise<T> {
  const form = new FormData()
  form.append('file', file, file.name)
  for (const [k, v] of Object.entries(fields)) form.append(k, v)
  let res: Response
  try {
    res = await fetch(path, {
      method: 'POST',
      body: form,
      credentials: 'same-origin',
      headers: { 'Accept-Language': state.language },
    })
  } catch {
    throw new ApiError(0, 'network', networkMessage())
  }
  const body: unknown = await res.json().catch(() => null)
  if (!res.ok) throw toApiError(res.status, body, httpMessage(res.status))
  return body as T
}
