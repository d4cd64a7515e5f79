// Uploading files to a ticket: multipart `file` and `internal`, with the session cookie.
import { type Schemas, upload } from '@/api/client'

export type Stage = 'arrival' | 'resolution'

export function attach(ticketId: string, file: File, internal = false, stage?: Stage): Promise<Schemas['Attachment']> {
  const fields: Record<string, string> = { internal: String(internal) }
  if (stage) fields.stage = stage
  return upload(`/api/v1/tickets/${encodeURIComponent(ticketId)}/attachments`, file, fields)
}

/**
 * Uploads the photos of a step that already went through; one that fails is named in the
 * returned list (the step stays done), the others still go up.
 */
export async function attachAll(ticketId: string, files: File[], stage: Stage): Promise<string[]> {
  const failed: string[] = []
  for (const f of files) {
    try {
      await attach(ticketId, f, false, stage)
    } catch (e) {
      failed.push(`${f.name}: ${e instanceof Error ? e.message : String(e)}`)
    }
  }
  return failed
}

/** Where an attachment is served (images inline). */
export function attachmentUrl(ticketId: string, id: string): string {
  return `/api/v1/tickets/${encodeURIComponent(ticketId)}/attachments/${encodeURIComponent(id)}`
}
