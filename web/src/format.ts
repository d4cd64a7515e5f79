// How the bureau reads numbers, money and time: yuan with two decimals, Beijing time.

const TIME_ZONE = 'Asia/Shanghai'

/** Fen (the API's unit) as yuan with thousands separators and two decimals. */
export function fenToYuan(fen: number | null | undefined): string {
  if (fen === null || fen === undefined || !Number.isFinite(fen)) return ''
  return (fen / 100).toLocaleString('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 })
}

/** Yuan as typed in a form to whole fen; floating-point noise is rounded away. */
export function yuanToFen(yuan: number | null | undefined): number | null {
  if (yuan === null || yuan === undefined || !Number.isFinite(yuan)) return null
  return Math.round(yuan * 100)
}

/** An RFC 3339 instant as `YYYY-MM-DD HH:mm` in Beijing time. */
export function formatInstant(iso: string | null | undefined, withSeconds = false): string {
  if (!iso) return ''
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: TIME_ZONE,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: withSeconds ? '2-digit' : undefined,
    hourCycle: 'h23',
  }).formatToParts(d)
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? ''
  const time = `${get('hour')}:${get('minute')}` + (withSeconds ? `:${get('second')}` : '')
  return `${get('year')}-${get('month')}-${get('day')} ${time}`
}

/** Today in Beijing as `YYYY-MM-DD`, optionally shifted by whole days. */
export function bureauDate(offsetDays = 0, now: Date = new Date()): string {
  const shifted = new Date(now.getTime() + offsetDays * 86_400_000)
  return new Intl.DateTimeFormat('en-CA', { timeZone: TIME_ZONE }).format(shifted)
}

/** Days from today (Beijing) to a `YYYY-MM-DD` date; negative when past. */
export function daysUntil(date: string | null | undefined, now: Date = new Date()): number | null {
  if (!date) return null
  const target = Date.parse(date + 'T00:00:00Z')
  const today = Date.parse(bureauDate(0, now) + 'T00:00:00Z')
  if (Number.isNaN(target)) return null
  return Math.round((target - today) / 86_400_000)
}

/** The value format of date-time pickers: Beijing wall time with its offset. */
export const PICKER_FORMAT = 'YYYY-MM-DD[T]HH:mm:ss[+08:00]'

/** An RFC 3339 instant in the form the date-time pickers use (`…T…+08:00`, Beijing time). */
export function toPickerInstant(iso: string | null | undefined): string {
  return iso ? formatInstant(iso, true).replace(' ', 'T') + '+08:00' : ''
}
