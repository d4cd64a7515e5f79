import { expect, test } from '@playwright/test'

import { login, shot } from './helpers'
import { ADMIN } from './world'

// The administrator (duties not separated) connects the bureau's CAS server: the provider, one
// rule that makes members of the O&M group engineers of a vendor, and then the sign-in page
// offers it. Nobody is sent to the provider.
const VENDOR = '单点登录运维公司（E2E）'
const CAS = '政务统一身份认证（E2E）'

test('an administrator adds a CAS provider with a mapping rule, and the sign-in page offers it', async ({ page, request }) => {
  const res = await request.post('/api/v1/auth/login', { data: ADMIN })
  const headers = { authorization: `Bearer ${((await res.json()) as { token: string }).token}` }
  const vendor = await request.post('/api/v1/vendors', { headers, data: { name: VENDOR } })
  expect(vendor.ok(), await vendor.text()).toBeTruthy()

  await login(page, ADMIN.username, ADMIN.password)
  await page.goto('/security')
  await expect(page.getByTestId('policy-local-login')).toBeVisible()
  await page.getByTestId('sso-add').click()
  const dialog = page.getByTestId('form-dialog')
  await page.getByTestId('sso-kind').click()
  await page.getByRole('option', { name: 'CAS 统一身份认证' }).click()
  await page.getByTestId('sso-name').fill(CAS)
  await page.getByTestId('sso-server_url').fill('https://cas.example.gov.cn/cas')
  await page.getByTestId('rule-add').click()
  await page.getByTestId('rule-attribute-0').fill('memberOf')
  await page.getByTestId('rule-value-0').fill('运维组')
  await page.getByTestId('rule-role-0').click()
  await page.getByRole('option', { name: '运维工程师' }).click()
  await page.getByTestId('rule-vendor-0').click()
  await page.getByRole('option', { name: VENDOR }).click()
  await shot(page, 'sso-01-cas-provider')
  await dialog.getByTestId('form-save').click()
  await expect(dialog).toBeHidden()
  const row = page.getByTestId('sso-providers').locator('tr', { hasText: CAS })
  await expect(row).toContainText('CAS 统一身份认证')
  await expect(row).toContainText('1 条')
  await shot(page, 'sso-02-listed')

  // An OIDC provider whose issuer is no web address: the field says so.
  await page.getByTestId('sso-add').click()
  await expect(page.getByTestId('sso-issuer')).toBeVisible()
  await page.getByTestId('sso-name').fill('身份认证（OIDC，E2E）')
  await page.getByTestId('sso-issuer').fill('ftp://x')
  await page.getByTestId('sso-client_id').fill('yunwei')
  await dialog.getByTestId('form-save').click()
  const issuer = dialog.locator('.el-form-item', { has: page.getByTestId('sso-issuer') })
  await expect(issuer.locator('.el-form-item__error')).toContainText('http://')
  await shot(page, 'sso-03-issuer-error')
  await dialog.getByRole('button', { name: '取消' }).click()
  await expect(dialog).toBeHidden()
  await expect(page.getByTestId('sso-providers').locator('tr', { hasText: 'OIDC，E2E' })).toHaveCount(0)

  // Signed out, the sign-in page offers the CAS provider besides the password form.
  const options = (await (await request.get('/api/v1/auth/sso')).json()) as { providers: { id: string; name: string }[] }
  const cas = options.providers.find((p) => p.name === CAS)
  expect(cas).toBeTruthy()
  await page.getByTestId('logout').click()
  await expect(page.getByTestId('login-submit')).toBeVisible()
  await expect(page.getByTestId(`sso-provider-${cas!.id}`)).toHaveText(`通过 ${CAS} 登录`)
  await expect(page.getByTestId('login-username')).toBeVisible()
  await shot(page, 'sso-04-sign-in-page')
})
