import { createHmac } from 'node:crypto'

import { expect, test } from '@playwright/test'

import { login, shot } from './helpers'
import { ADMIN } from './world'

// A user enrols a second factor (TOTP) from the top bar, keeps the recovery codes, and signs in
// again with password and code. Codes are computed here (RFC 6238) from the secret shown.
const USER = { username: 'totp_e2e', password: 'Engineer#E2e2026' }

function base32(s: string): Buffer {
  const a = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
  let bits = 0
  let value = 0
  const out: number[] = []
  for (const c of s.replace(/=+$/, '')) {
    value = (value << 5) | a.indexOf(c)
    bits += 5
    if (bits >= 8) {
      bits -= 8
      out.push((value >>> bits) & 0xff)
    }
  }
  return Buffer.from(out)
}

function totp(secret: Buffer, at: number): string {
  const counter = Buffer.alloc(8)
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 30)))
  const h = createHmac('sha1', secret).update(counter).digest()
  const o = h[19]! & 0x0f
  const v = ((h[o]! & 0x7f) << 24) | (h[o + 1]! << 16) | (h[o + 2]! << 8) | h[o + 3]!
  return String(v % 1_000_000).padStart(6, '0')
}

test('a user enrols TOTP and signs in with it', async ({ page, request }) => {
  const res = await request.post('/api/v1/auth/login', { data: ADMIN })
  const headers = { authorization: `Bearer ${((await res.json()) as { token: string }).token}` }
  const vendor = (await (await request.post('/api/v1/vendors', { headers, data: { name: '双因素运维公司（E2E）' } })).json()) as { id: string }
  const made = await request.post('/api/v1/users', {
    headers,
    data: { username: USER.username, role: 'engineer', vendor_id: vendor.id, password: USER.password },
  })
  expect(made.ok(), await made.text()).toBeTruthy()

  await login(page, USER.username, USER.password)
  await page.getByTestId('two-factor').click()
  await page.getByTestId('form-save').click()
  const secret = base32(await page.getByTestId('totp-secret').inputValue())
  const now = Math.floor(Date.now() / 1000)
  await page.getByTestId('totp-code').fill(totp(secret, now))
  await page.getByTestId('form-save').click()
  await expect(page.getByTestId('totp-recovery').locator('li')).toHaveCount(10)
  await shot(page, 'totp-01-recovery-codes')
  await page.getByTestId('form-save').click()

  // Signing in again asks for the code after the password.
  await page.getByTestId('logout').click()
  await page.getByTestId('login-username').fill(USER.username)
  await page.getByTestId('login-password').fill(USER.password)
  await page.getByTestId('login-submit').click()
  await expect(page.getByTestId('login-totp')).toBeVisible()
  // The enrolment used this step's code: wait for the next step, a code is good once.
  const next = (Math.floor(Date.now() / 1000 / 30) + 1) * 30
  await page.waitForTimeout(Math.max(0, next * 1000 - Date.now()) + 500)
  await page.getByTestId('login-totp').fill(totp(secret, Math.floor(Date.now() / 1000)))
  await page.getByTestId('login-submit').click()
  await expect(page.getByTestId('current-user')).toBeVisible()
  await shot(page, 'totp-02-signed-in')
})
