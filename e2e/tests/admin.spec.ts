import ExcelJS from 'exceljs'
import { expect, test } from '@playwright/test'

import { expectNoHorizontalScroll, login, shot } from './helpers'
import { ADMIN, WORLD } from './world'

const NEW_UNIT = '丙单位（E2E 新建）'
const NEW_SYSTEM = 'E2E 政务服务应用系统'

test('admin registers a unit and a system, finds it with a filter and exports it', async ({ page, baseURL }) => {
  // Government networks are often offline: every request stays on the server itself.
  const elsewhere: string[] = []
  page.on('request', (r) => {
    const url = r.url()
    if (!url.startsWith(baseURL ?? '') && !/^(data|blob):/.test(url)) elsewhere.push(url)
  })
  await page.goto('/login')
  await shot(page, 'admin-01-login')
  await login(page, ADMIN.username, ADMIN.password)
  // The home page is the day's work; the registry's figures are the overview.
  await expect(page.getByTestId('today-breached')).toBeVisible()
  await page.getByTestId('menu-dashboard').click()

  const seeded = WORLD.reduce((n, u) => n + u.systems.length, 0)
  await expect(page.getByTestId('tile-systems')).toContainText(String(seeded))
  await expect(page.getByTestId('tile-units')).toContainText(String(WORLD.length))
  await expect(page.locator('canvas').first()).toBeVisible()
  await shot(page, 'admin-02-dashboard')

  // A new unit.
  await page.getByTestId('menu-units').click()
  // The list of the screen just opened, not the one being left, owns the create button.
  await expect(page).toHaveURL(/\/units$/)
  await expect(page.getByRole('heading', { name: '单位', exact: true })).toBeVisible()
  await page.getByTestId('create').click()
  await page.getByTestId('unit-name').fill(NEW_UNIT)
  await page.getByTestId('form-save').click()
  await expect(page.getByTestId('form-dialog')).toBeHidden()
  await expect(page.getByTestId('resource-list')).toContainText(NEW_UNIT)
  await shot(page, 'admin-03-unit-created')

  // A system of that unit; a missing name is reported next to the field first.
  await page.getByTestId('menu-systems').click()
  await expect(page).toHaveURL(/\/systems$/)
  await expect(page.getByRole('heading', { name: '信息系统', exact: true })).toBeVisible()
  await page.getByTestId('create').click()
  await page.getByTestId('system-unit').click()
  await page.getByRole('option', { name: NEW_UNIT }).click()
  await page.getByTestId('form-save').click()
  await expect(page.getByTestId('form-dialog').locator('.el-form-item__error').first()).toHaveText('必填')
  await shot(page, 'admin-04-field-error')
  await page.getByTestId('system-name').fill(NEW_SYSTEM)
  await page.getByTestId('form-save').click()
  await expect(page.getByTestId('form-dialog')).toBeHidden()
  await expect(page.getByTestId('resource-list')).toContainText(NEW_SYSTEM)

  // Found with the search filter: exactly one row, of the new unit.
  await page.getByTestId('filter-q').fill('政务服务应用')
  await page.getByTestId('filter-search').click()
  const rows = page.getByTestId('resource-list').locator('.el-table__body tr')
  await expect(rows).toHaveCount(1)
  await expect(rows.first()).toContainText(NEW_SYSTEM)
  await expect(rows.first()).toContainText(NEW_UNIT)
  await shot(page, 'admin-05-filtered')

  // The export holds the filtered list and opens as a workbook.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export').click()])
  expect(download.suggestedFilename()).toMatch(/\.xlsx$/)
  const file = 'artifacts/systems-export.xlsx'
  await download.saveAs(file)
  const book = new ExcelJS.Workbook()
  await book.xlsx.readFile(file)
  const sheet = book.worksheets[0]
  expect(sheet.rowCount).toBe(2)
  const values = (sheet.getRow(2).values as unknown[]).map(String)
  expect(values).toContain(NEW_SYSTEM)
  expect(values).toContain(NEW_UNIT)
  await expectNoHorizontalScroll(page)
  expect(elsewhere).toEqual([])
})

test('the audit log shows what the admin changed', async ({ page }) => {
  await login(page, ADMIN.username, ADMIN.password)
  await page.getByTestId('menu-audit').click()
  // People by the names the bureau gave them, what happened in words.
  await expect(page.getByTestId('resource-list')).toContainText('系统管理员')
  await expect(page.getByTestId('resource-list')).toContainText('登录')
  await page.getByTestId('audit-verify').click()
  await expect(page.getByTestId('audit-verdict')).toContainText('审计链完整')
  await shot(page, 'admin-06-audit')
  // Changes to systems, newest first: the one created in the first journey, field by field.
  await page.getByTestId('filter-object-type').click()
  await page.getByRole('option', { name: '信息系统', exact: true }).click()
  const systemsCreated = WORLD.reduce((n, u) => n + u.systems.length, 0) + 1
  await expect(page.getByTestId('resource-list').locator('.el-table__body tr')).toHaveCount(systemsCreated)
  await page.getByTestId('resource-list').locator('.el-table__body tr').first().click()
  await expect(page.getByTestId('audit-diff')).toContainText('E2E 政务服务应用系统')
  await shot(page, 'admin-07-audit-record')
})

test('the UI speaks English on request, Element Plus included', async ({ page }) => {
  await page.goto('/login')
  await page.getByTestId('language-switch').click()
  await page.getByRole('menuitem', { name: 'English' }).click()
  await expect(page.getByTestId('login-submit')).toHaveText('Sign in')
  await login(page, ADMIN.username, ADMIN.password)
  await page.getByTestId('menu-systems').click()
  await expect(page.getByRole('heading', { name: 'Systems' })).toBeVisible()
  await expect(page.locator('.el-pagination')).toContainText('Total')
  await shot(page, 'admin-08-english')
})
