// Turning an audit record's before/after snapshots into the lines a reader compares.

export interface DiffLine {
  field: string
  before: string
  after: string
  changed: boolean
}

function show(v: unknown): string {
  if (v === undefined || v === null) return ''
  if (typeof v === 'string') return v
  return JSON.stringify(v)
}

function asObject(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {}
}

/** One line per top-level field of either snapshot, changed fields first, then by name. */
export function diff(before: unknown, after: unknown): DiffLine[] {
  const b = asObject(before)
  const a = asObject(after)
  const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])]
  return keys
    .map((field) => {
      const x = show(b[field])
      const y = show(a[field])
      return { field, before: x, after: y, changed: x !== y }
    })
    .sort((p, q) => Number(q.changed) - Number(p.changed) || p.field.localeCompare(q.field))
}
