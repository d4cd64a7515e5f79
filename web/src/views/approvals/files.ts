// Evidence with a request for approval: multipart `file`, with the session cookie.
import { type Schemas, upload } from '@/api/client'

export function addApprovalFile(approvalId: string, file: File): Promise<Schemas['ApprovalFile']> {
  return upload(`/api/v1/approvals/${encodeURIComponent(approvalId)}/files`, file, {})
}

/** Uploads files to a request just filed; one that fails is named in the returned list. */
export async function addApprovalFiles(approvalId: string, files: File[]): Promise<string[]> {
  const failed: string[] = []
  for (const f of files) {
    try {
      await addApprovalFile(approvalId, f)
    } catch (e) {
      failed.push(`${f.name}: ${e instanceof Error ? e.message : String(e)}`)
    }
  }
  return failed
}

/** Where a request's file is served (images inline). */
export function approvalFileUrl(approvalId: string, id: string): string {
  return `/api/v1/approvals/${encodeURIComponent(approvalId)}/files/${encodeURIComponent(id)}`
}
