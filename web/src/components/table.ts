/** One column of a list: shown as a table column on wide screens and as a line of a card on phones. */
export interface Column<T> {
  key: string
  label: string
  sortable?: boolean
  width?: number
  minWidth?: number
  /** Text of the cell; by default the row's property named `key`. A `cell-<key>` slot overrides it. */
  text?: (row: T) => string
  /** The card's title on phones. */
  primary?: boolean
  /** Left out of the phone card (kept in the table). */
  hideOnMobile?: boolean
}

export function cellText<T>(column: Column<T>, row: T): string {
  if (column.text) return column.text(row)
  const v = (row as Record<string, unknown>)[column.key]
  return v === null || v === undefined ? '' : String(v)
}
