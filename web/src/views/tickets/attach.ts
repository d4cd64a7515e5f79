// Uploading files to a ticket: multipart `file` and `internal`, with the session cookie.
import type { Schemas } from '@/api/client'
import { ApiError, toApiError } from '@/api/errors'

export async function attach(ticketId: string, file: File, internal = false): Promise<Schemas['Attachment']> {
  const form = new FormData()
  form.append('file', file, file.name)
  form.append('internal', String(internal))
  let res: Response
  try {
    res = await fetch(`/api/v1/tickets/${encodeURIComponent(ticketId)}/attachments`, {
      method: 'POST',
      body: form,
      credentials: 'same-origin',
      headers: { 'Accept-Language': document.documentElement.lang || 'zh-CN' },
    })
  } catch {
    throw new ApiError(0, 'network', 'network')
  }
  const body: unknown = await res.json().catch(() => null)
  if (!res.ok) throw toApiError(res.status, body, `HTTP ${res.status}`)
  return body as Schemas['Attachment']
}

/** Where an attachment is served (images inline). */
export function attachmentUrl(ticketId: string, id: string): string {
  return `/api/v1/tickets/${encodeURIComponent(ticketId)}/attachments/${encodeURIComponent(id)}`
}
