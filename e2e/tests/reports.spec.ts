import { type APIRequestContext, expect, test } from '@playwright/test'

import { login, shot, vendorWithContract } from './helpers'
import { ADMIN } from './world'

// A monthly report from the records: the vendor's manager makes last month's report, writes the
// narrative beside the sections written from the facts and submits; the bureau returns it with
// a note and a non-conformity; the manager fixes it and resubmits; the bureau accepts and the
// issued Word file downloads.
const PM = { username: 'bao', password: 'Manager#E2e2026', name: '包经理' }
const CONTRACT = '甲单位门户网站运维（E2E报告）'
const SYSTEM = '甲单位门户网站'

test.describe.configure({ mode: 'serial' })

async function vendorWorld(request: APIRequestContext): Promise<void> {
  await vendorWithContract(request, PM, { system: SYSTEM, vendor: '门户网站报告运维公司（E2E）', contract: CONTRACT, item: '网站运维', budgetFen: 30_000_000 })
}

async function write(page: import('@playwright/test').Page, texts: Record<string, string>): Promise<void> {
  for (const [key, text] of Object.entries(texts)) {
    await page.locator(`#tab-${key}`).click()
    await page.getByTestId(`report-text-${key}`).fill(text)
  }
}

test('the vendor writes and submits, the bureau returns, the vendor fixes, the bureau accepts and the docx downloads', async ({ page, request }) => {
  await vendorWorld(request)

  // The manager makes last month's report: the facts are written at once, the narrative is theirs.
  await login(page, PM.username, PM.password)
  await page.getByTestId('menu-reports').click()
  await page.getByTestId('report-create').click()
  await page.getByTestId('report-contract').click()
  await page.getByRole('option', { name: CONTRACT }).click()
  await page.getByTestId('form-save').click()
  await expect(page.getByTestId('report-state')).toHaveText('草稿')
  await expect(page.getByTestId('report-preview')).toContainText('总体情况')
  await expect(page.getByTestId('report-preview')).toContainText('工单情况')
  await write(page, { summary: '本月系统运行平稳，完成日常巡检。', problems: '备份空间不足。', plan: '下月扩容备份存储。', suggestions: '无' })
  await page.getByTestId('report-submit').click()
  await expect(page.getByTestId('report-state')).toHaveText('待审核')
  await shot(page, 'reports-01-submitted')
  const url = page.url()

  // The bureau returns it with a note and a non-conformity.
  await page.context().clearCookies()
  await login(page, ADMIN.username, ADMIN.password)
  await page.goto(url)
  await page.getByTestId('report-return').click()
  await page.getByTestId('report-review-note').fill('工作总结未写明巡检次数')
  await page.getByTestId('report-add-finding').click()
  await page.getByTestId('report-finding-0').fill('巡检记录不完整')
  await page.getByTestId('form-save').click()
  await expect(page.getByTestId('report-state')).toHaveText('已退回')
  await expect(page.getByTestId('report-findings')).toContainText('巡检记录不完整')

  // The manager fixes the summary and resubmits.
  await page.context().clearCookies()
  await login(page, PM.username, PM.password)
  await page.goto(url)
  await expect(page.getByTestId('report-history-note')).toContainText('工作总结未写明巡检次数')
  await write(page, { summary: '本月系统运行平稳，完成日常巡检 22 次，无重大故障。' })
  await page.getByTestId('report-submit').click()
  await expect(page.getByTestId('report-state')).toHaveText('待审核')

  // The bureau accepts: the report is issued, its version recorded, the Word file downloads.
  await page.context().clearCookies()
  await login(page, ADMIN.username, ADMIN.password)
  await page.goto(url)
  await expect(page.getByTestId('report-preview')).toContainText('完成日常巡检 22 次')
  await page.getByTestId('report-accept').click()
  await page.getByTestId('form-save').click()
  await expect(page.getByTestId('report-state')).toHaveText('已签发')
  await expect(page.getByTestId('report-versions')).toContainText('第 1 版')
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('report-docx').click()])
  expect(download.suggestedFilename()).toMatch(/^月报-.*-v1\.docx$/)
  await shot(page, 'reports-02-issued')

  // The bureau sets the weekly summary the contract owes from 004's template.
  await page.getByTestId('menu-contracts').click()
  await page.getByTestId('resource-list').getByText(CONTRACT).click()
  await page.getByTestId('report-definition-add').click()
  await page.getByTestId('report-definition-template').click()
  await page.getByRole('option', { name: /运维周报/ }).click()
  await page.getByTestId('form-save').click()
  await expect(page.getByTestId('contract-report-definitions')).toContainText('运维周报')
  await expect(page.getByTestId('contract-report-definitions')).toContainText('期末后第 1 个工作日')
})
