import { expect, test } from '@playwright/test'

import { login, shot } from './helpers'
import { ADMIN } from './world'

test.beforeEach(async ({ page }) => {
  await login(page, ADMIN.username, ADMIN.password)
})

test('the 5×8 preset shows National Day 2026 and its make-up Saturday', async ({ page }) => {
  await page.getByTestId('menu-calendars').click()
  await page.getByTestId('resource-list').getByText('5×8 工作日').click()
  const month = page.getByTestId('calendar-month')
  await expect(month).toBeVisible()
  // Walk the month view back to October 2026.
  const target = '2026-10-01'
  for (let i = 0; i < 24; i++) {
    if ((await month.locator(`[data-date="${target}"]`).count()) > 0) break
    const shown = await month.locator('.el-calendar__title').innerText()
    await month.getByRole('button', { name: shown > '2026 年 10 月' ? '上个月' : '下个月' }).click()
  }
  await expect(month.locator('[data-date="2026-10-01"]')).toHaveClass(/yw-holiday/)
  await expect(month.locator('[data-date="2026-10-01"]')).toContainText('休')
  await expect(month.locator('[data-date="2026-10-10"]')).toHaveClass(/yw-workday/)
  await expect(month.locator('[data-date="2026-10-10"]')).toContainText('班')
  await expect(month.locator('[data-date="2026-10-09"]')).not.toHaveClass(/yw-off/)
  await shot(page, 'sla-01-month-view')
  // Holiday data is imported from here too.
  await page.getByTestId('calendar-import').click()
  await expect(page.getByText('导入节假日（CSV 或 iCalendar）')).toBeVisible()
})

test('the simulator explains “3 working days” across National Day 2025', async ({ page }) => {
  await page.getByTestId('menu-simulate').click()
  const at = page.getByTestId('sim-reported-at').locator('input')
  await at.fill('2025-09-30 10:00:00')
  await at.press('Enter')
  await page.getByTestId('sim-run').click()
  const resolve = page.getByTestId('sim-due-resolve')
  await expect(resolve.getByTestId('sim-due-local')).toHaveText('2025-10-11 17:30')
  await expect(page.getByTestId('sim-due-response').getByTestId('sim-due-local')).toHaveText('2025-09-30 11:00')
  await resolve.getByText('计算过程').click()
  await expect(resolve).toContainText('跳过 2025-10-01..08：国庆节、中秋节')
  await expect(resolve).toContainText('第 3 个工作日：2025-10-11')
  await shot(page, 'sla-02-simulator')
})

test('a policy from a seed clause, then simulated by level', async ({ page }) => {
  await page.getByTestId('menu-policies').click()
  await page.getByTestId('from-template').click()
  await page.getByTestId('template-004-row-04').click()
  await expect(page.getByTestId('policy-name')).toHaveValue('四级故障（7×24）')
  await expect(page.getByTestId('level-3')).toBeVisible()
  await shot(page, 'sla-03-policy-form')
  await page.getByTestId('form-save').click()
  await expect(page.getByTestId('form-dialog')).toBeHidden()
  const row = page.getByTestId('resource-list').locator('.el-table__body tr', { hasText: '四级故障（7×24）' })
  await expect(row).toContainText('v1')
  await row.getByRole('button', { name: '模拟' }).click()
  await expect(page).toHaveURL(/sla\/simulate\?policy_id=/)
  const at = page.getByTestId('sim-reported-at').locator('input')
  await at.fill('2025-10-01 22:40:00')
  await at.press('Enter')
  await page.getByTestId('sim-run').click()
  await expect(page.getByTestId('sim-due-restore').getByTestId('sim-due-local')).toHaveText('2025-10-02 02:40')
  await expect(page.getByTestId('sim-due-resolve').getByTestId('sim-due-local')).toHaveText('2025-10-02 06:40')
  await shot(page, 'sla-04-policy-simulated')
})

test("an administrator types in next year's State Council notice", async ({ page }) => {
  await page.getByTestId('menu-holidays').click()
  await page.getByTestId('resource-list').getByText('国务院节假日安排').click()
  const year = page.getByTestId('holiday-year')
  await expect(year).toBeVisible()
  await year.getByPlaceholder('开始日期').fill('2027-01-01')
  await year.getByPlaceholder('结束日期').fill('2027-01-01')
  await year.getByPlaceholder('结束日期').press('Enter')
  await year.getByPlaceholder('名称').fill('元旦')
  await year.getByRole('button', { name: '添加连续日期' }).click()
  await page.getByTestId('save-year').click()
  await expect(page.getByText('已保存')).toBeVisible()
  await expect(page.getByTestId('resource-list')).toContainText('2027-12-31')
  await shot(page, 'sla-05-holidays')
  await page.getByTestId('menu-calendars').click()
  const preset = page.getByTestId('resource-list').locator('.el-table__body tr', { hasText: '5×8 工作日' })
  await expect(preset.getByTestId('holidays-until')).toContainText('2027-12-31')
})
