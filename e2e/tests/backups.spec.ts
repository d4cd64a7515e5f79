import { expect, type Locator, test } from '@playwright/test'
import ExcelJS from 'exceljs'

import { expectNoHorizontalScroll, login, shot, systemWithEngineer } from './helpers'
import { ADMIN } from './world'

// 备份: the bureau sets a daily database backup policy for a system; the engineer of the vendor
// covering it, on a phone, records tonight's successful run and the policy shows its last
// success; the engineer then records a restore drill with its report and sees it judged against
// the policy's RTO and RPO.
const UNIT = '乙单位（测试）'
// A system of its own, so that no other journey's counts or indicators see the policy.
const SYSTEM = '乙单位不动产登记系统（E2E备份）'
const POLICY = 'Oracle 全库备份（E2E）'
const ENGINEER = { username: 'beifen', password: 'Engineer#Backup2026', name: '贝工' }
const REPORT = '不动产登记系统恢复演练报告.pdf'
const SUMMARY = '从当日全量备份恢复到测试库，核对 12 张业务表记录数一致，服务恢复可用'

test.describe.configure({ mode: 'serial' })

/** `YYYY-MM-DD` in Beijing today. */
function bureauDay(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date())
}

/** A tiny PDF: the server knows a report by its first bytes. */
function pdf(): Buffer {
  return Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% 恢复演练报告\n%%EOF\n')
}

/** Types a number into an el-input-number and leaves it, so the control takes it. */
async function typeNumber(scope: Locator, testId: string, value: string): Promise<void> {
  const input = scope.getByTestId(testId).locator('input')
  await input.fill(value)
  await input.press('Tab')
}

test('the bureau sets a daily database backup policy for a system', async ({ page, request }) => {
  await systemWithEngineer(request, ENGINEER, {
    unit: UNIT,
    system: SYSTEM,
    vendor: '不动产登记系统运维公司（E2E备份）',
    contract: '乙单位不动产登记系统运维（E2E备份）',
    item: '系统运维',
    budgetFen: 300_000,
  })

  await login(page, ADMIN.username, ADMIN.password)
  await page.getByTestId('menu-continuity').click()
  await expect(page).toHaveURL(/\/continuity/)
  await expect(page.getByRole('tab', { name: '备份' })).toBeVisible()
  await page.getByTestId('backup-policy-create').click()
  const dialog = page.locator('[data-testid="backup-policy-dialog"]:visible')
  await dialog.getByTestId('backup-policy-system').click()
  await page.getByRole('option', { name: SYSTEM }).click()
  await dialog.getByTestId('backup-policy-name').fill(POLICY)
  // A new policy backs up a database every day, days off too.
  await expect(dialog.getByTestId('backup-policy-object')).toContainText('数据库')
  await expect(dialog.getByTestId('backup-policy-frequency')).toContainText('每天')
  await typeNumber(dialog, 'backup-policy-retention', '90')
  await typeNumber(dialog, 'backup-policy-rpo', '1440')
  await typeNumber(dialog, 'backup-policy-rto', '120')
  await dialog.getByTestId('backup-policy-location').getByText('异地').click()
  await shot(page, 'backups-01-policy')
  await dialog.getByTestId('backup-policy-save').click()
  await expect(page.locator('.el-message', { hasText: '已创建' })).toBeVisible()

  const row = page.getByTestId('backup-policies').locator('.el-table__body tr', { hasText: SYSTEM })
  await expect(row).toContainText(POLICY)
  await expect(row).toContainText('数据库')
  await expect(row).toContainText('每天')
  await expect(row).toContainText('异地')
  await expect(row).toContainText('90 天')
  await expect(row).toContainText('RPO 1 天 / RTO 2 小时')
  await expect(row.getByTestId('backup-policy-last-success')).toHaveText('尚无')
  await expect(row.getByTestId('backup-policy-current')).toHaveText('进行中')
  await expect(row.getByTestId('backup-policy-missed')).toHaveCount(0)
  await shot(page, 'backups-02-policies')
})

test.describe('the engineer on a phone (390×844)', () => {
  test.use({ viewport: { width: 390, height: 844 }, hasTouch: true })

  test('records a successful run, sees the last success, and records a restore drill with its verdict', async ({ page }) => {
    const today = bureauDay()
    await login(page, ENGINEER.username, ENGINEER.password)
    await page.getByTestId('menu-toggle').click()
    await page.getByTestId('menu-continuity').click()
    const card = page.getByTestId('resource-card').filter({ hasText: SYSTEM })
    await expect(card).toContainText(POLICY)
    await expect(card.getByTestId('backup-policy-last-success')).toHaveText('尚无')
    // Vendor staff record runs, not policies.
    await expect(page.getByTestId('backup-policy-create')).toHaveCount(0)
    await expect(card.getByTestId('backup-policy-edit')).toHaveCount(0)
    await expectNoHorizontalScroll(page)
    await shot(page, 'backups-03-phone-policies')

    // 登记备份: the only policy the engineer sees is chosen; it ran in the last half hour.
    await page.getByTestId('backup-run-create').click()
    const run = page.locator('[data-testid="backup-run-dialog"]:visible')
    await expect(run.getByTestId('backup-run-policy')).toContainText(POLICY)
    await expect(run.getByTestId('backup-run-started').locator('input')).toHaveValue(new RegExp(`^${today} `))
    await run.getByTestId('backup-run-result-success').click()
    await typeNumber(run, 'backup-run-size', '1.5')
    await run.getByTestId('backup-run-stored').fill('/backup/oracle/full_e2e.dmp')
    await run.getByTestId('backup-run-tool').fill('RMAN')
    await expectNoHorizontalScroll(page)
    await shot(page, 'backups-04-phone-run')
    await run.getByTestId('backup-run-save').click()
    await expect(page.locator('.el-message', { hasText: '备份已登记' })).toBeVisible()

    // The policy shows its last success, and today's period done.
    await expect(card.getByTestId('backup-policy-last-success')).toContainText(today)
    await expect(card.getByTestId('backup-policy-current')).toHaveText('已完成')
    await shot(page, 'backups-05-phone-last-success')
    await page.getByTestId('backups-view').getByText('备份记录').click()
    const runCard = page.getByTestId('resource-card').filter({ hasText: SYSTEM })
    await expect(runCard.getByTestId('backup-run-result')).toHaveText('成功')
    await expect(runCard).toContainText('1.5 GB')
    await expect(runCard).toContainText('手工登记')
    await expect(runCard).toContainText(ENGINEER.name)

    // 登记恢复演练: restored in 95 minutes with half an hour of data lost — within RTO 2 h and RPO 1 d.
    await page.getByTestId('restore-drill-create').click()
    const drill = page.locator('[data-testid="restore-drill-dialog"]:visible')
    await expect(drill.getByTestId('restore-drill-policy')).toContainText(POLICY)
    await expect(drill.getByTestId('restore-drill-date').locator('input')).toHaveValue(today)
    await drill.getByTestId('restore-drill-restored-yes').click()
    await typeNumber(drill, 'restore-drill-restore-minutes', '95')
    await typeNumber(drill, 'restore-drill-loss-minutes', '30')
    await drill.locator('input[type=file]').setInputFiles({ name: REPORT, mimeType: 'application/pdf', buffer: pdf() })
    await drill.getByTestId('restore-drill-save').click()
    await expect(drill.locator('.el-form-item.is-error', { hasText: '演练情况' })).toContainText('必填')
    await drill.getByTestId('restore-drill-summary').fill(SUMMARY)
    await shot(page, 'backups-06-phone-drill')
    await drill.getByTestId('restore-drill-save').click()
    await expect(page.locator('.el-message', { hasText: '恢复演练已登记' })).toBeVisible()

    await page.getByTestId('backups-view').getByText('恢复演练').click()
    const drillCard = page.getByTestId('resource-card').filter({ hasText: SYSTEM })
    await expect(drillCard).toContainText(today)
    await expect(drillCard.getByTestId('restore-drill-passed')).toHaveText('达标')
    await expect(drillCard.getByTestId('restore-drill-rtoMet')).toHaveText('RTO 达标')
    await expect(drillCard.getByTestId('restore-drill-rpoMet')).toHaveText('RPO 达标')
    await expect(drillCard).toContainText('恢复用时 1 小时 35 分，数据丢失 30 分钟')
    const downloaded = page.waitForEvent('download')
    await drillCard.getByTestId('restore-drill-download').click()
    expect((await downloaded).suggestedFilename()).toBe(REPORT)
    await expectNoHorizontalScroll(page)
    await shot(page, 'backups-07-phone-drill-verdict')
  })
})

test('the bureau sees the period done, voids the run with a reason, and cannot delete a policy with records', async ({ page }) => {
  const today = bureauDay()
  await login(page, ADMIN.username, ADMIN.password)
  await page.goto('/continuity')
  const row = page.getByTestId('backup-policies').locator('.el-table__body tr', { hasText: SYSTEM })
  await expect(row.getByTestId('backup-policy-last-success')).toContainText(today)
  await expect(row.getByTestId('backup-policy-current')).toHaveText('已完成')

  // 周期: today's backup period, done today.
  await row.getByTestId('backup-policy-tasks').click()
  await expect(page).toHaveURL(/view=tasks/)
  await expect(page).toHaveURL(/policy=/)
  await expect(page.getByTestId('backup-task-policy')).toContainText(POLICY)
  const period = page.getByTestId('backup-tasks').locator('.el-table__body tr', { hasText: SYSTEM }).filter({ hasText: '备份' }).first()
  await expect(period).toContainText(today)
  await expect(period.getByTestId('backup-task-status-tag')).toHaveText('已完成')
  await shot(page, 'backups-08-periods')

  // The drill, judged, on the desktop table.
  await page.getByTestId('backups-view').getByText('恢复演练').click()
  const drill = page.getByTestId('restore-drills').locator('.el-table__body tr', { hasText: SYSTEM })
  await expect(drill.getByTestId('restore-drill-passed')).toHaveText('达标')
  await expect(drill).toContainText(ENGINEER.name)

  // The bureau voids the run: it counts for nothing, and today's period is open again.
  await page.getByTestId('backups-view').getByText('备份记录').click()
  const run = page.getByTestId('backup-runs').locator('.el-table__body tr', { hasText: SYSTEM })
  await expect(run).toContainText('RMAN')
  await run.getByTestId('backup-run-void').click()
  const box = page.locator('.el-message-box')
  await box.getByRole('button', { name: '作废' }).click()
  await expect(box).toContainText('请填写原因')
  await box.locator('input').fill('登记的是测试库的备份')
  await box.getByRole('button', { name: '作废' }).click()
  await expect(page.locator('.el-message', { hasText: '已作废' })).toBeVisible()
  await expect(run.getByTestId('backup-run-void-tag')).toHaveText('已作废')
  await expect(run.getByTestId('backup-run-void-reason')).toHaveText('登记的是测试库的备份')
  await expect(run.getByTestId('backup-run-void')).toHaveCount(0)
  await shot(page, 'backups-09-run-voided')

  // Runs kept in a sheet import in one go, the policy named by system and policy name: here
  // yesterday's failed run.
  const yesterday = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date(Date.now() - 86_400_000))
  const book = new ExcelJS.Workbook()
  const sheet = book.addWorksheet('备份记录')
  sheet.addRow(['系统名称', '策略名称', '开始时间', '结束时间', '结果', '说明'])
  sheet.addRow([SYSTEM, POLICY, `${yesterday} 01:00`, `${yesterday} 01:05`, '失败', '磁带机离线，已更换'])
  const xlsx = Buffer.from(await book.xlsx.writeBuffer())
  await page.getByTestId('backup-runs-import').click()
  await page
    .getByTestId('import-file')
    .locator('input[type=file]')
    .setInputFiles({ name: '备份记录.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: xlsx })
  await page.getByTestId('import-run').click()
  await expect(page.locator('.el-message', { hasText: '已导入 1 条备份记录' })).toBeVisible()
  const imported = page.getByTestId('backup-runs').locator('.el-table__body tr', { hasText: '磁带机离线' })
  await expect(imported.getByTestId('backup-run-result')).toHaveText('失败')
  await expect(imported).toContainText('表格导入')

  await page.getByTestId('backups-view').getByText('备份策略').click()
  await expect(row.getByTestId('backup-policy-last-success')).toHaveText('尚无')
  await expect(row.getByTestId('backup-policy-current')).toHaveText('进行中')

  // A policy with runs or drills is kept: the API's refusal is shown.
  await row.getByTestId('backup-policy-delete').click()
  await page.locator('.el-message-box').getByRole('button', { name: '删除' }).click()
  await expect(page.locator('.el-message--error')).toContainText('不能删除')
  await expect(row).toBeVisible()
  await shot(page, 'backups-10-policies')
})
