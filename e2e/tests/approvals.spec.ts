import { type APIRequestContext, expect, type Page, test } from '@playwright/test'

import { expectNoHorizontalScroll, login, shot, vendorWithContract } from './helpers'
import { ADMIN } from './world'

// The measured party never moves its own measurement: the vendor's manager asks, the bureau decides.
const PM = { username: 'shen', password: 'Manager#E2e2026', name: '沈经理' }
const SYSTEM = '乙单位审批系统'
const WINDOW = '季度数据库升级（E2E）'
const MONITOR = '审批系统数据库端口（E2E）'

test.describe.configure({ mode: 'serial' })

/** A vendor whose contract covers the system, and its manager (once per run). */
async function vendorWorld(request: APIRequestContext): Promise<void> {
  await vendorWithContract(request, PM, { system: SYSTEM, vendor: '审批系统运维公司（E2E）', contract: '乙单位审批系统运维（E2E）', item: '系统运维', budgetFen: 800_000 })
}

async function openAvailability(page: Page): Promise<void> {
  await page.goto('/monitoring?tab=availability')
  await page.getByTestId('availability-system').click()
  await page.getByRole('option', { name: SYSTEM }).click()
  await expect(page.getByTestId('maintenance')).toBeVisible()
}

test('the bureau registers a system’s networks and the network allowlist, errors named by entry', async ({ page }) => {
  await login(page, ADMIN.username, ADMIN.password)
  await page.getByTestId('menu-systems').click()
  const row = page.getByTestId('resource-list').locator('.el-table__body tr', { hasText: SYSTEM })
  await row.getByRole('button', { name: '编辑' }).click()
  const addresses = page.getByTestId('system-addresses')
  await addresses.fill('10.2.3.0/24\n不是地址!!\n127.0.0.1')
  await page.getByTestId('form-save').click()
  const errors = page.getByTestId('system-addresses-errors')
  await expect(errors).toContainText('第 2 项“不是地址!!”：应为 IP、网段')
  await expect(errors).toContainText('第 3 项“127.0.0.1”：')
  await shot(page, 'approvals-01-addresses-errors')
  await addresses.fill('10.2.3.0/24, spxt.anyang.gov.cn')
  await page.getByTestId('form-save').click()
  await expect(page.getByTestId('form-dialog')).toBeHidden()
  await row.click()
  await expect(page.getByTestId('system-addresses-shown')).toContainText('10.2.3.0/24')
  await expect(page.getByTestId('system-addresses-shown')).toContainText('spxt.anyang.gov.cn')
  await page.keyboard.press('Escape')

  await page.goto('/monitoring?tab=intake')
  const entries = page.getByTestId('allowlist-entries')
  await entries.fill('10.9.0.0/16\n169.254.169.254')
  await page.getByTestId('allowlist-save').click()
  await expect(page.getByTestId('allowlist-entries-errors')).toContainText('第 2 项“169.254.169.254”：')
  await shot(page, 'approvals-02-allowlist-errors')
  await entries.fill('10.9.0.0/16')
  await page.getByTestId('allowlist-save').click()
  await expect(page.locator('.el-message', { hasText: '已保存' })).toBeVisible()
  await expect(page.getByTestId('allowlist-entries-errors')).toHaveCount(0)
  await page.reload()
  await expect(page.getByTestId('allowlist-entries')).toHaveValue('10.9.0.0/16')
})

test('a vendor manager asks for a maintenance window and to stop a monitor; the bureau approves one and rejects the other', async ({
  page,
  request,
}) => {
  await vendorWorld(request)

  // The vendor's manager asks for a window: filed, not in effect.
  await login(page, PM.username, PM.password)
  await openAvailability(page)
  await page.getByTestId('maintenance-create').click()
  const dialog = page.getByTestId('form-dialog')
  await expect(dialog.getByTestId('maintenance-approval-note')).toBeVisible()
  await page.getByTestId('maintenance-name').fill(WINDOW)
  await page.getByTestId('maintenance-reason').fill('数据库大版本升级，需停机两小时')
  await shot(page, 'approvals-03-vendor-window-form')
  await dialog.getByTestId('form-save').click()
  await expect(page.locator('.el-message', { hasText: '已提交数据局审批，批准后生效' }).last()).toBeVisible()
  await expect(page.getByTestId('maintenance')).toContainText('暂无计划维护')
  const records = page.getByTestId('system-approvals')
  const windowRequest = records.getByTestId('approval-record').filter({ hasText: WINDOW })
  await expect(windowRequest.getByTestId('approval-record-status')).toHaveText('待审批')
  await expect(windowRequest.getByTestId('approval-approve')).toHaveCount(0)
  await expect(windowRequest.getByTestId('approval-withdraw')).toBeVisible()

  // A monitor of its own reaches only the system's networks; stopping it is a request.
  await page.goto('/monitoring')
  await page.getByTestId('monitor-create').click()
  await expect(page.getByTestId('monitor-restricted')).toContainText('由供应商定义，仅能访问系统登记的网络')
  await page.getByTestId('monitor-system').click()
  await page.getByRole('option', { name: SYSTEM }).click()
  await page.getByTestId('monitor-kind-tcp').click()
  await page.getByTestId('monitor-target').fill('10.20.30.40:5432')
  await page.getByTestId('monitor-name').fill(MONITOR)
  await page.getByTestId('form-save').click()
  await expect(page.getByTestId('form-dialog')).toContainText('地址不在本系统登记的地址或允许的网络内')
  await page.getByTestId('monitor-target').fill('10.2.3.40:5432')
  await page.getByTestId('form-save').click()
  await expect(page.getByTestId('form-dialog')).toBeHidden()
  const monitorRow = page.getByRole('row').filter({ hasText: MONITOR })
  await expect(monitorRow.getByTestId('monitor-restricted-tag')).toHaveText('受限')
  await monitorRow.getByRole('button', { name: '编辑' }).click()
  await expect(page.getByTestId('monitor-approval-note')).toBeVisible()
  await page.getByTestId('monitor-active').click()
  await page.getByTestId('monitor-reason').fill('数据库迁往新机房，旧地址停用')
  await page.getByTestId('form-save').click()
  await expect(page.locator('.el-message', { hasText: '已提交数据局审批，批准后生效' }).last()).toBeVisible()
  await page.getByRole('button', { name: '刷新' }).click()
  await expect(monitorRow).toBeVisible()
  await shot(page, 'approvals-04-vendor-monitor')

  // The bureau finds both waiting for it.
  await login(page, ADMIN.username, ADMIN.password)
  await expect(page.getByTestId('approvals-badge')).toBeVisible()
  await page.getByTestId('menu-approvals').click()
  await expect(page.getByRole('tab', { name: '待我审批' })).toHaveAttribute('aria-selected', 'true')
  const list = page.getByTestId('approvals')
  const windowRow = list.locator('.el-table__body tr', { hasText: WINDOW })
  const monitorRequest = list.locator('.el-table__body tr', { hasText: MONITOR })
  await expect(windowRow).toContainText('维护窗口')
  await expect(windowRow).toContainText(PM.name)
  await expect(monitorRequest).toContainText('修改监控')
  await shot(page, 'approvals-05-inbox')

  // The window's detail: why, and what it adds; approved with a comment.
  await windowRow.click()
  const drawer = page.getByTestId('approval-drawer')
  await expect(drawer.getByTestId('approval-reason')).toHaveText('数据库大版本升级，需停机两小时')
  await expect(drawer.getByTestId('approval-changes')).toContainText('每周日 02:00 起 120 分钟（Asia/Shanghai）')
  await page.waitForTimeout(500) // the drawer slides in
  await shot(page, 'approvals-06-detail')
  await drawer.getByTestId('approval-approve').click()
  await page.getByTestId('decision-comment').fill('同意，请提前通知各科室')
  await page.getByTestId('decision-confirm').click()
  await expect(page.locator('.el-message', { hasText: '已批准，变更已生效' })).toBeVisible()
  await expect(drawer.getByTestId('approval-status')).toHaveText('已批准')
  await expect(drawer.getByTestId('approval-comment')).toHaveText('同意，请提前通知各科室')
  await page.keyboard.press('Escape')

  // Stopping the monitor: a rejection must say why.
  await monitorRequest.click()
  await expect(drawer.getByTestId('approval-changes')).toContainText('启用')
  await expect(drawer.getByTestId('approval-reason')).toHaveText('数据库迁往新机房，旧地址停用')
  await drawer.getByTestId('approval-reject').click()
  await page.getByTestId('decision-confirm').click()
  await expect(page.getByTestId('decision-dialog')).toContainText('驳回须填写理由')
  await page.getByTestId('decision-comment').fill('新机房监控建好后再停用旧监控')
  await page.getByTestId('decision-confirm').click()
  await expect(drawer.getByTestId('approval-status')).toHaveText('已驳回')
  await page.keyboard.press('Escape')
  await expect(list.locator('.el-table__body tr', { hasText: WINDOW })).toHaveCount(0)

  // The window now counts, with who asked and who approved, where availability is read.
  await openAvailability(page)
  const windowLine = page.getByTestId('maintenance').getByRole('row').filter({ hasText: WINDOW })
  await expect(windowLine).toContainText('每周日 02:00 起 120 分钟')
  await expect(windowLine.getByTestId('maintenance-requested-by')).toHaveText(PM.name)
  await expect(windowLine.getByTestId('maintenance-approved-by')).toHaveText('系统管理员')
  await expect(windowLine).toContainText('数据库大版本升级')
  const history = page.getByTestId('system-approvals')
  await expect(history.getByTestId('approval-record').filter({ hasText: WINDOW }).getByTestId('approval-record-status')).toHaveText('已批准')
  await expect(history.getByTestId('approval-record').filter({ hasText: MONITOR }).getByTestId('approval-record-status')).toHaveText('已驳回')
  await expectNoHorizontalScroll(page)
  await shot(page, 'approvals-07-availability')
  await history.getByTestId('approval-record').filter({ hasText: MONITOR }).getByRole('button').first().click()
  await history.scrollIntoViewIfNeeded()
  await shot(page, 'approvals-07b-availability-records')
})

test.describe('the vendor reads the decisions on a phone (390×844)', () => {
  test.use({ viewport: { width: 390, height: 844 }, hasTouch: true })

  test('my requests, with the bureau’s comments', async ({ page }) => {
    await login(page, PM.username, PM.password)
    await page.getByTestId('menu-toggle').click()
    await page.getByTestId('menu-approvals').click()
    await expect(page.getByRole('tab', { name: '我的申请' })).toHaveAttribute('aria-selected', 'true')
    const cards = page.getByTestId('resource-card')
    await expect(cards.filter({ hasText: WINDOW })).toContainText('已批准')
    const rejected = cards.filter({ hasText: MONITOR })
    await expect(rejected).toContainText('已驳回')
    await expect(rejected).toContainText('新机房监控建好后再停用旧监控')
    await expectNoHorizontalScroll(page)
    await shot(page, 'approvals-08-phone-mine')
    await rejected.click()
    await expect(page.getByTestId('approval-drawer').getByTestId('approval-changes')).toBeVisible()
    await page.waitForTimeout(500) // the drawer slides in
    await expectNoHorizontalScroll(page)
    await shot(page, 'approvals-09-phone-detail')
    await page.keyboard.press('Escape')

    // The availability page on the phone: the window and the record of requests.
    await page.goto('/monitoring?tab=availability')
    await expect(page.getByTestId('maintenance-window').filter({ hasText: WINDOW })).toContainText(PM.name)
    await expect(page.getByTestId('system-approvals')).toContainText(WINDOW)
    await page.getByTestId('system-approvals').scrollIntoViewIfNeeded()
    await expectNoHorizontalScroll(page)
    await shot(page, 'approvals-10-phone-availability')
  })
})
