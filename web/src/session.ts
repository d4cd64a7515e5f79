// Who is signed in. The session itself is an HttpOnly cookie set by the server; this module only
// knows the user it belongs to.
import { computed, reactive } from 'vue'

import { api, call, type Schemas } from '@/api/client'

export type User = Schemas['User']
export type Role = Schemas['Role']

export const session = reactive({
  user: null as User | null,
  /** The unit or vendor the user belongs to, for the top bar. */
  orgName: '',
  checked: false,
  /** The password has expired or was reset: only changing it works until then. */
  mustChangePassword: false,
  /** The policy requires this administrator to enrol a second factor first. */
  totpSetupRequired: false,
  /** The previous sign-in and the failures since, shown once after signing in. */
  notice: null as Schemas['SignInNotice'] | null,
})

async function orgNameOf(user: User): Promise<string> {
  try {
    if (user.unit_id) {
      return (await call(api.GET('/api/v1/units/{id}', { params: { path: { id: user.unit_id } } }))).name
    }
    if (user.vendor_id) {
      return (await call(api.GET('/api/v1/vendors/{id}', { params: { path: { id: user.vendor_id } } }))).name
    }
  } catch {
    // the name is decoration; the session stands without it
  }
  return ''
}

/** Asks the server who we are; false when not signed in. */
export async function restoreSession(): Promise<boolean> {
  try {
    const user = await call(api.GET('/api/v1/auth/me'))
    session.user = user
    session.orgName = await orgNameOf(user)
  } catch {
    session.user = null
    session.orgName = ''
  }
  session.checked = true
  return session.user !== null
}

/**
 * Signs in; `totp` is the authenticator's code when the account has a second factor (the server
 * answers `totp_required` without it). Marks a session that must change its password first.
 */
export async function login(username: string, password: string, totp?: string): Promise<void> {
  await signedIn(await call(api.POST('/api/v1/auth/login', { body: { username, password, totp: totp || undefined } })))
}

/** Signs in with a directory (LDAP / Active Directory) account through the provider `providerId`. */
export async function loginWithDirectory(providerId: string, username: string, password: string): Promise<void> {
  const out = await call(
    api.POST('/api/v1/auth/sso/{id}/login', { params: { path: { id: providerId } }, body: { username, password } }),
  )
  await signedIn(out)
}

/** What every password sign-in does once the server accepted it. */
async function signedIn(out: Schemas['LoginResponse']): Promise<void> {
  session.mustChangePassword = out.must_change_password
  session.totpSetupRequired = out.totp_setup_required
  session.notice = out.notice
  await restoreSession()
}

export async function logout(): Promise<void> {
  try {
    await call(api.POST('/api/v1/auth/logout'))
  } finally {
    forget()
  }
}

/** Drops the local idea of the user (after logout or when the server says the session ended). */
export function forget(): void {
  session.user = null
  session.orgName = ''
}

export const role = computed<Role | null>(() => session.user?.role ?? null)
/** Only the bureau's administrators change registry data; the API enforces the same rule. */
export const canWrite = computed(() => role.value === 'admin')
export const canAudit = computed(() => role.value === 'admin' || role.value === 'auditor')
