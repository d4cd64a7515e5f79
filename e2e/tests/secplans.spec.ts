import { expect, type Page, test } from '@playwright/test'

import { login, shot, systemWithEngineer } from './helpers'
import { ADMIN } from './world'

// 检测计划: the bureau plans a quarterly vulnerability scan of a system; the engineer of the vendor
// covering it sees the period open, files the scan report, and the period shows done; the bureau
// voids the record with a reason and the period is open again.
const UNIT = '乙单位（测试）'
// A system of its own, so that no other journey's counts or indicators see the plan.
const SYSTEM = '乙单位电子证照系统（E2E检测）'
const ENGINEER = { username: 'jiance', password: 'Engineer#Secplan2026', name: '蒋工' }
const REPORT = '第四季度漏洞扫描报告.pdf'
const SUMMARY = '扫描主机 12 台，发现高危漏洞 1 个、中危 3 个，已录入漏洞台账'
const VOID_REASON = '报告为上季度的扫描结果，请重新上传'

test.describe.configure({ mode: 'serial' })

/** `YYYY-MM-DD` in Beijing, `days` from now. */
function bureauDay(days = 0): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date(Date.now() + days * 86_400_000))
}

/** A tiny PDF: the server knows a report by its first bytes. */
function pdf(): Buffer {
  return Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% 第四季度漏洞扫描报告\n%%EOF\n')
}

function taskRows(page: Page) {
  return page.getByTestId('sectasks').locator('.el-table__body tr', { hasText: SYSTEM })
}

async function pickDay(page: Page, testId: string, day: string): Promise<void> {
  const input = page.locator(`[data-testid="${testId}"]:visible input`)
  await input.fill(day)
  await input.press('Enter')
}

test('the bureau plans a quarterly scan, the engineer files the report, the bureau voids it', async ({ page, request }) => {
  test.setTimeout(120_000)
  await systemWithEngineer(request, ENGINEER, {
    unit: UNIT,
    system: SYSTEM,
    vendor: '电子证照系统安全服务公司（E2E）',
    contract: '乙单位电子证照系统安全服务（E2E）',
    item: '安全服务',
    budgetFen: 400_000,
  })
  const today = bureauDay()
  const year = today.slice(0, 4)

  // The bureau plans a quarterly vulnerability scan of the system, from the first of the year.
  await login(page, ADMIN.username, ADMIN.password)
  await page.getByTestId('menu-secops').click()
  await page.getByRole('tab', { name: '检测计划' }).click()
  await expect(page).toHaveURL(/tab=plans/)
  await page.getByTestId('secplans-view').getByText('计划', { exact: true }).click()
  await page.getByTestId('secplan-create').click()
  const planDialog = page.locator('[data-testid="secplan-dialog"]:visible')
  await page.getByTestId('secplan-system').click()
  await page.getByRole('option', { name: SYSTEM }).click()
  await page.getByTestId('secplan-kind').click()
  await page.getByRole('option', { name: '漏洞扫描', exact: true }).click()
  await expect(page.getByTestId('secplan-frequency')).toContainText('每季度')
  await pickDay(page, 'secplan-start', `${year}-01-01`)
  await shot(page, 'secplans-01-plan')
  await planDialog.getByTestId('form-save').click()
  await expect(page.locator('.el-message', { hasText: '已创建' })).toBeVisible()
  const planRow = page.getByTestId('secplans').locator('.el-table__body tr', { hasText: SYSTEM })
  await expect(planRow).toContainText('漏洞扫描')
  await expect(planRow).toContainText('每季度第 1 个月 1 日')
  await expect(planRow).toContainText(`${year}-01-01`)

  // The engineer of the vendor sees the quarter open on the board, and cannot plan.
  await login(page, ENGINEER.username, ENGINEER.password)
  await page.goto('/secops?tab=plans')
  const open = taskRows(page).filter({ hasText: '进行中' })
  await expect(open).toHaveCount(1)
  await expect(open).toContainText('漏洞扫描')
  const period = (await open.locator('td').nth(2).innerText()).trim()
  expect(period).toMatch(/^\d{4}-\d{2}-\d{2} – \d{4}-\d{2}-\d{2}$/)
  const periodRow = taskRows(page).filter({ hasText: period })
  await shot(page, 'secplans-02-board')
  await page.getByTestId('secplans-view').getByText('计划', { exact: true }).click()
  await expect(page.getByTestId('secplans').locator('.el-table__body tr', { hasText: SYSTEM })).toContainText('每季度')
  await expect(page.getByTestId('secplan-create')).toHaveCount(0)
  await page.getByTestId('secplans-view').getByText('任务看板').click()

  // 登记报告 from the period: the system and the kind are filled in; a summary is required.
  await periodRow.getByTestId('sectask-file').click()
  const dialog = page.locator('[data-testid="secrecord-dialog"]:visible')
  await expect(dialog.getByTestId('secrecord-system')).toContainText(SYSTEM)
  await expect(dialog.getByTestId('secrecord-kind')).toContainText('漏洞扫描')
  await expect(dialog.getByTestId('secrecord-date').locator('input')).toHaveValue(today)
  await dialog.locator('input[type=file]').setInputFiles({ name: REPORT, mimeType: 'application/pdf', buffer: pdf() })
  await dialog.getByTestId('secrecord-save').click()
  await expect(dialog.locator('.el-form-item.is-error', { hasText: '结果摘要' })).toContainText('必填')
  await dialog.getByTestId('secrecord-summary').fill(SUMMARY)
  await shot(page, 'secplans-03-report')
  await dialog.getByTestId('secrecord-save').click()
  await expect(page.locator('.el-message', { hasText: '报告已登记' })).toBeVisible()
  await expect(periodRow.getByTestId('sectask-status-tag')).toHaveText('已完成')
  await expect(periodRow).toContainText(today)
  await expect(periodRow.getByTestId('sectask-file')).toHaveCount(0)
  await shot(page, 'secplans-04-done')

  // The bureau reads the report in the records, downloads it, and voids it with a reason.
  await login(page, ADMIN.username, ADMIN.password)
  await page.goto('/secops?tab=plans&view=records')
  const record = page.getByTestId('secrecords').locator('.el-table__body tr', { hasText: SYSTEM })
  await expect(record).toContainText(SUMMARY)
  await expect(record).toContainText(ENGINEER.name)
  await expect(record).toContainText('有效')
  const downloaded = page.waitForEvent('download')
  await record.getByTestId('secrecord-download').click()
  expect((await downloaded).suggestedFilename()).toBe(REPORT)
  await record.getByTestId('secrecord-void').click()
  const box = page.locator('.el-message-box')
  await box.getByRole('button', { name: '作废' }).click()
  await expect(box).toContainText('请填写原因')
  await box.locator('input').fill(VOID_REASON)
  await shot(page, 'secplans-05-void')
  await box.getByRole('button', { name: '作废' }).click()
  await expect(page.locator('.el-message', { hasText: '已作废' })).toBeVisible()
  await expect(record.getByTestId('secrecord-void-tag')).toHaveText('已作废')
  await expect(record.getByTestId('secrecord-void-reason')).toHaveText(VOID_REASON)
  await expect(record.getByTestId('secrecord-void')).toHaveCount(0)
  await shot(page, 'secplans-06-voided')

  // The void record counts for nothing: the period is open again.
  await page.getByTestId('secplans-view').getByText('任务看板').click()
  await expect(periodRow.getByTestId('sectask-status-tag')).toHaveText('进行中')
  await expect(periodRow.getByTestId('sectask-file')).toBeVisible()
  await shot(page, 'secplans-07-open-again')
})
