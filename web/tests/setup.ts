// The API client captures `fetch` when it is created: install a stub that each test can program
// before any module creates the client.
import { vi } from 'vitest'

export const fetchMock = vi.fn<(input: RequestInfo | URL, init?: RequestInit) => Promise<Response>>()
globalThis.fetch = ((input: RequestInfo | URL, init?: RequestInit) => fetchMock(input, init)) as typeof fetch

export function json(status: number, body: unknown): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json' },
  })
}

/** The request a stubbed call received: method, path and parsed JSON body. */
export async function sent(call = 0): Promise<{ method: string; path: string; body: unknown }> {
  const [input, init] = fetchMock.mock.calls[call] ?? []
  const req = input instanceof Request ? input : new Request(String(input), init)
  const text = await req.clone().text()
  return { method: req.method, path: new URL(req.url, 'http://x').pathname, body: text ? JSON.parse(text) : null }
}
