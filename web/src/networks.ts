// Lists of network entries (a system's addresses, the bureau's allowlist): typed or pasted one
// per line, and the API's errors for them, which name an entry by its index (`addresses[2]`).

/** Entries from what was typed: split on new lines, commas, `、`, `;` and spaces; blanks and repeats dropped. */
export function splitEntries(text: string): string[] {
  const out: string[] = []
  for (const part of text.split(/[\s,，、;；]+/)) {
    const v = part.trim()
    if (v && !out.includes(v)) out.push(v)
  }
  return out
}

/**
 * The messages about a list field, one line each: the field's own (`addresses`) first, then
 * those naming an entry (`addresses[1]`) in the entries' order, each introduced by `label`
 * (which gets the entry's 1-based position and its value).
 */
export function entryMessages(
  errors: Record<string, string>,
  field: string,
  values: readonly string[],
  label: (n: number, value: string) => string,
): string[] {
  const out: string[] = []
  if (errors[field]) out.push(errors[field])
  const indexed: [number, string][] = []
  const pattern = new RegExp(`^${field.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\[(\\d+)\\]`)
  for (const [k, message] of Object.entries(errors)) {
    const m = pattern.exec(k)
    if (m) indexed.push([Number(m[1]), message])
  }
  indexed.sort((a, b) => a[0] - b[0])
  for (const [i, message] of indexed) out.push(`${label(i + 1, values[i] ?? '')}${message}`)
  return out
}
