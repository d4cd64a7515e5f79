// Uploading files to a ticket: multipart `file` and `internal`, with the session cookie.
import { type Schemas, upload } from '@/api/client'

export function attach(ticketId: string, file: File, internal = false): Promise<Schemas['Attachment']> {
  return upload(`/api/v1/tickets/${encodeURIComponent(ticketId)}/attachments`, file, { internal: String(internal) })
}

/** Where an attachment is served (images inline). */
export function attachmentUrl(ticketId: string, id: string): string {
  return `/api/v1/tickets/${encodeURIComponent(ticketId)}/attachments/${encodeURIComponent(id)}`
}
