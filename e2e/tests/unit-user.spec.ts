import { expect, test } from '@playwright/test'

import { login, shot } from './helpers'
import { UNIT_USER, WORLD } from './world'

test("a unit user sees only its own unit's systems", async ({ page }) => {
  await login(page, UNIT_USER.username, UNIT_USER.password)
  await expect(page.getByTestId('current-user')).toContainText('单位用户')
  await page.getByTestId('menu-systems').click()
  const own = WORLD.find((u) => u.name === UNIT_USER.unit)?.systems ?? []
  const rows = page.getByTestId('resource-list').locator('.el-table__body tr')
  await expect(rows).toHaveCount(own.length)
  for (const name of own) await expect(page.getByTestId('resource-list')).toContainText(name)
  for (const row of await rows.all()) await expect(row).toContainText(UNIT_USER.unit)
  const others = WORLD.filter((u) => u.name !== UNIT_USER.unit).flatMap((u) => u.systems)
  for (const name of others) await expect(page.getByTestId('resource-list')).not.toContainText(name)
  // Registry writes are the bureau's: no buttons for them.
  await expect(page.getByTestId('create')).toHaveCount(0)
  await expect(page.getByTestId('import')).toHaveCount(0)
  await shot(page, 'unit-user-01-systems')

  // Screens outside the role are not in the menu and not reachable by URL.
  await expect(page.getByTestId('menu-audit')).toHaveCount(0)
  await page.goto('/audit')
  await expect(page).toHaveURL(/\/$/)
})

test('a wrong password shows the error and keeps the user on the login page', async ({ page }) => {
  await page.goto('/login')
  await page.getByTestId('login-username').fill(UNIT_USER.username)
  await page.getByTestId('login-password').fill('not-the-password')
  await page.getByTestId('login-submit').click()
  await expect(page.getByTestId('login-error')).toContainText('用户名或密码错误')
  await expect(page).toHaveURL(/\/login/)
  await shot(page, 'login-wrong-password')
})
