import { expect, test } from '@playwright/test'

import { login, shot } from './helpers'
import { ADMIN } from './world'

// Someone of their own (changing the shared accounts' passwords would lock the other journeys out).
const AUDITOR = { username: 'jiancha', password: 'Audit#E2e2026', next: 'Audit#Changed2026' }

test('a user changes their own password: a wrong current password is named, then the new one works', async ({ page, request }) => {
  const res = await request.post('/api/v1/auth/login', { data: ADMIN })
  const headers = { authorization: `Bearer ${((await res.json()) as { token: string }).token}` }
  const created = await request.post('/api/v1/users', {
    headers,
    data: { username: AUDITOR.username, role: 'auditor', password: AUDITOR.password, display_name: '审计员（E2E）' },
  })
  expect(created.ok(), await created.text()).toBeTruthy()

  await login(page, AUDITOR.username, AUDITOR.password)
  await page.getByTestId('change-password').click()
  const dialog = page.getByTestId('form-dialog')
  await page.getByTestId('password-current').fill('Not-the-password1')
  await page.getByTestId('password-new').fill(AUDITOR.next)
  await page.getByTestId('password-repeat').fill(AUDITOR.next)
  await dialog.getByTestId('form-save').click()
  const itemOf = (testid: string) => dialog.locator('.el-form-item', { has: page.getByTestId(testid) })
  await expect(itemOf('password-current').locator('.el-form-item__error')).toHaveText('当前密码不正确')
  await shot(page, 'password-01-wrong-current')

  // Two different new passwords are caught before anything is sent.
  await page.getByTestId('password-current').fill(AUDITOR.password)
  await page.getByTestId('password-repeat').fill(AUDITOR.next + 'x')
  await dialog.getByTestId('form-save').click()
  await expect(itemOf('password-repeat').locator('.el-form-item__error', { hasText: '两次输入的新密码不一致' })).toBeVisible()

  await page.getByTestId('password-repeat').fill(AUDITOR.next)
  await dialog.getByTestId('form-save').click()
  await expect(page.locator('.el-message', { hasText: '密码已修改' })).toBeVisible()
  await expect(dialog).toBeHidden()
  await shot(page, 'password-02-changed')

  // The old password no longer opens the account; the new one does.
  expect((await request.post('/api/v1/auth/login', { data: { username: AUDITOR.username, password: AUDITOR.password } })).status()).toBe(401)
  await page.getByTestId('logout').click()
  await login(page, AUDITOR.username, AUDITOR.next)
  await expect(page.getByTestId('current-user')).toContainText('审计员（E2E）')
})
