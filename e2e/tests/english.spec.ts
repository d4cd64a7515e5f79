import { expect, type Page, test } from '@playwright/test'

import { login, shot } from './helpers'
import { ADMIN, UNIT_USER } from './world'

/** The UI's own words (menu, headings, buttons, labels) hold no Chinese; the data may. */
async function chromeIsEnglish(page: Page): Promise<void> {
  const chrome = await page
    .locator('.el-menu, h1, h2, .el-button, .el-form-item__label, .el-tabs__item, .el-descriptions__label, th')
    .allInnerTexts()
  const chinese = chrome.filter((s) => /[\u4e00-\u9fff]/.test(s) && !/[A-Za-z]{3}/.test(s))
  expect(chinese, 'UI text left in Chinese').toEqual([])
}

async function english(page: Page, username: string, password: string): Promise<void> {
  await page.goto('/login')
  await page.getByTestId('language-switch').click()
  await page.getByRole('menuitem', { name: 'English' }).click()
  await login(page, username, password)
}

test('every main screen speaks English for the bureau', async ({ page }) => {
  await english(page, ADMIN.username, ADMIN.password)
  await expect(page.getByTestId('today-breached')).toContainText('Breached tickets')
  await chromeIsEnglish(page)
  await shot(page, 'en-01-today')
  for (const [name, path, file] of [
    ['tickets', '/tickets', 'en-02-tickets'],
    ['inspections', '/inspections', 'en-03-inspections'],
    ['monitoring', '/monitoring', 'en-04-monitoring'],
    ['approvals', '/approvals', 'en-05-approvals'],
    ['dashboard', '/overview', 'en-06-overview'],
    ['contracts', '/contracts', 'en-07-contracts'],
    ['audit', '/audit', 'en-08-audit'],
    ['policies', '/sla/policies', 'en-09-policies'],
    ['duty', '/duty', 'en-11-duty'],
    ['secops', '/secops', 'en-13-secops'],
  ] as const) {
    await page.getByTestId(`menu-${name}`).click()
    await expect(page).toHaveURL(new RegExp(`${path}(\\?|$)`))
    await expect(page.locator('h1').first()).toBeVisible()
    await page.waitForLoadState('networkidle')
    await chromeIsEnglish(page)
    await shot(page, file)
  }
  // Security operations: the scan import form as well as the ledger.
  await page.getByTestId('menu-secops').click()
  await page.getByRole('tab', { name: 'Scan imports' }).click()
  await expect(page.getByTestId('import-form')).toBeVisible()
  await chromeIsEnglish(page)
  await shot(page, 'en-14-secops-imports')
  // … and the 等保 register with the year's programme, then its rectification items.
  await page.getByRole('tab', { name: 'MLPS assessments' }).click()
  await expect(page.getByTestId('programme')).toContainText('Planned assessments')
  await expect(page.getByTestId('dengbao-systems')).toBeVisible()
  await chromeIsEnglish(page)
  await shot(page, 'en-15-secops-dengbao')
  await page.getByTestId('dengbao-view').getByText('Rectification tracking').click()
  await expect(page.getByTestId('dengbao-items')).toBeVisible()
  await chromeIsEnglish(page)
  // A ticket's page: clocks, their basis and the timeline.
  await page.getByTestId('menu-tickets').click()
  const first = page.getByTestId('resource-list').locator('.el-table__body tr').first()
  if (await first.isVisible()) {
    await first.click()
    await expect(page.getByTestId('ticket-status')).toBeVisible()
    await chromeIsEnglish(page)
    await shot(page, 'en-10-ticket')
  }
})

test.describe('on a phone (390×844)', () => {
  test.use({ viewport: { width: 390, height: 844 }, hasTouch: true })

  test("a unit's clerk in English: home, report form", async ({ page }) => {
    await english(page, UNIT_USER.username, UNIT_USER.password)
    await expect(page.getByTestId('today-my_open')).toContainText('My open reports')
    await chromeIsEnglish(page)
    await shot(page, 'en-11-unit-home')
    await page.getByTestId('today-report').click()
    await expect(page.getByTestId('report-title')).toBeVisible()
    await chromeIsEnglish(page)
    await shot(page, 'en-12-report')
  })
})
