// The server's input rules, repeated in the browser so a mistake shows before anything is sent.
// The server stays the authority: these only say earlier what it would say.
import { i18n } from '@/i18n'

const t = (key: string, args?: Record<string, unknown>) => i18n.global.t(key, args ?? {})

/** Years a date in O&M work can fall in (domain::registry::YEARS). */
export const YEARS = { from: 2000, to: 2099 }

/** As domain::error::is_phone: digits with + - ( ) and spaces, an extension after 转/ext, 5–20 digits. */
export function isPhone(v: string): boolean {
  const lower = v.trim().toLowerCase()
  const cut = lower.includes('转') ? lower.split('转') : lower.split('ext')
  const main = cut[0] ?? ''
  const ext = cut.length > 1 ? cut.slice(1).join('').replace(/^[.: ]+/, '') : null
  const mainOk = /^[\d+\-() ]*$/.test(main) && !main.trimStart().replace(/^\++/, '').includes('+')
  const extOk = ext === null || /^\d{1,6}$/.test(ext)
  const digits = (main.match(/\d/g) ?? []).length
  return mainOk && extOk && digits >= 5 && digits <= 20
}

/** As domain::error::Checker::optional_email. */
export function isEmail(v: string): boolean {
  const s = v.trim()
  const at = s.indexOf('@')
  if (at <= 0 || /\s/.test(s)) return false
  const domain = s.slice(at + 1)
  return !domain.includes('@') && domain.includes('.') && !domain.startsWith('.') && !domain.endsWith('.')
}

/** The message for a bad optional phone, or undefined. */
export function phoneError(v: string | null | undefined): string | undefined {
  return v && v.trim() && !isPhone(v) ? t('validate.phone') : undefined
}

export function emailError(v: string | null | undefined): string | undefined {
  return v && v.trim() && !isEmail(v) ? t('validate.email') : undefined
}

/** A `YYYY-MM-DD` date outside this century, or impossible, gets a message. */
export function dateError(v: string | null | undefined): string | undefined {
  if (!v) return undefined
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v)
  if (!m) return t('validate.date')
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
  const real = new Date(Date.UTC(y, mo - 1, d))
  if (real.getUTCFullYear() !== y || real.getUTCMonth() !== mo - 1 || real.getUTCDate() !== d) return t('validate.date')
  if (y < YEARS.from || y > YEARS.to) return t('validate.year', YEARS)
  return undefined
}

/** A range whose end comes before its start. */
export function rangeError(from: string | null | undefined, to: string | null | undefined): string | undefined {
  return from && to && to < from ? t('validate.range') : undefined
}

/** Date pickers offer only days of the accepted years. */
export function outsideYears(d: Date): boolean {
  const y = d.getFullYear()
  return y < YEARS.from || y > YEARS.to
}

/** Minutes of a `HH:MM` time of day (00:00–24:00), as domain::sla::hours::parse_hhmm; else null. */
export function minutesOf(v: string): number | null {
  const m = /^(\d{2}):(\d{2})$/.exec(v.trim())
  if (!m) return null
  const [h, min] = [Number(m[1]), Number(m[2])]
  if (min > 59 || h > 24 || (h === 24 && min > 0)) return null
  return h * 60 + min
}

/** A working interval `[start, end]`: both times well formed and the end after the start. */
export function intervalError(start: string, end: string): string | undefined {
  const [a, b] = [minutesOf(start), minutesOf(end)]
  if (a === null || b === null) return t('validate.time')
  return a < b ? undefined : t('validate.endAfterStart')
}

/** A lower bound above its upper bound. */
export function boundsError(min: number | null | undefined, max: number | null | undefined): string | undefined {
  return min != null && max != null && min > max ? t('validate.bounds') : undefined
}

/** Whether `v` is an address with one of `schemes` (`https?`) and a host. */
function hasHost(v: string, schemes: string): boolean {
  const re = new RegExp(`^${schemes}://`, 'i')
  if (!re.test(v)) return false
  const rest = v.replace(re, '')
  return rest !== '' && !rest.startsWith('/') && !/\s/.test(rest)
}

/** A monitor's target: required; for `http` an http(s) URL with a host (domain::monitoring::spec). */
export function targetError(kind: string, target: string): string | undefined {
  const v = target.trim()
  if (!v) return t('common.required')
  if (kind !== 'http') return undefined
  return hasHost(v, 'https?') ? undefined : t('validate.url')
}

/** An optional http(s) address with a host; empty is left to the required check. */
export function httpUrlError(v: string | null | undefined): string | undefined {
  const s = v?.trim()
  return s && !hasHost(s, 'https?') ? t('validate.url') : undefined
}

/** An optional ldap:// or ldaps:// address with a host (a directory server). */
export function ldapUrlError(v: string | null | undefined): string | undefined {
  const s = v?.trim()
  return s && !hasHost(s, 'ldaps?') ? t('validate.ldapUrl') : undefined
}
