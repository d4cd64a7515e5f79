import { createHash } from 'node:crypto'

import { expect, type Page, test } from '@playwright/test'

import { login, shot, systemWithEngineer } from './helpers'
import { ADMIN } from './world'

// 安全事件: the engineer of the vendor covering a system records a 较大 network attack on it; the
// report is owed within 4 hours, so the list shows 待上报 with its due time. The engineer records
// the report (to whom, under which number), uploads a log as evidence (its SHA-256 shown),
// records 控制 and 恢复 and writes the measures taken; the bureau closes the event, which then
// reads 已关闭 with every step on its timeline.
const UNIT = '乙单位（测试）'
// A system of its own, so that no other journey's counts or indicators see the event.
const SYSTEM = '乙单位信用信息系统（E2E事件）'
const ENGINEER = { username: 'shijian', password: 'Engineer#Secevent2026', name: '沈工' }
const TITLE = '信用信息系统遭受 SQL 注入攻击'
const DESCRIPTION = 'WAF 告警显示 03:12 起有来自境外地址的 SQL 注入尝试，部分请求绕过规则，疑似读取了查询接口数据'
const REPORT_REF = '市网信办 网安通报〔2026〕031 号'
const MEASURES = '封禁攻击源地址，下线受影响接口并修复注入点，重置数据库账号口令，全量复查访问日志'
const EVIDENCE = 'waf-告警日志.txt'
const LOG = '2026-03-02 03:12:07 BLOCK sqli 203.0.113.7 GET /api/credit/query?id=1%27%20or%201=1\n'

test.describe.configure({ mode: 'serial' })

function eventRow(page: Page) {
  return page.getByTestId('secevents').locator('.el-table__body tr', { hasText: TITLE })
}

/** Records a step from the drawer: its dialog, any reference, saved. */
async function stage(page: Page, stage: string, name: string, reportRef?: string): Promise<void> {
  await page.getByTestId(`event-stage-${stage}`).click()
  const dialog = page.locator('[data-testid="event-stage-dialog"]:visible')
  await expect(dialog).toContainText(`记录“${name}”`)
  if (reportRef !== undefined) {
    // The report needs to whom and under which number.
    await dialog.getByTestId('event-stage-save').click()
    await expect(dialog.locator('.el-form-item.is-error', { hasText: '上报对象及编号' })).toContainText('请填写上报对象及编号')
    await dialog.getByTestId('event-report-ref').fill(reportRef)
  }
  await dialog.getByTestId('event-stage-save').click()
  await expect(page.locator('.el-message', { hasText: `已记录“${name}”` }).last()).toBeVisible()
  await expect(dialog).toBeHidden()
}

test('the engineer records and handles a 较大 attack, reports it in time, the bureau closes it', async ({ page, request }) => {
  test.setTimeout(150_000)
  await systemWithEngineer(request, ENGINEER, {
    unit: UNIT,
    system: SYSTEM,
    vendor: '信用信息系统安全服务公司（E2E）',
    contract: '乙单位信用信息系统安全服务（E2E）',
    item: '安全服务',
    budgetFen: 300_000,
  })

  // The engineer records the event on the system.
  await login(page, ENGINEER.username, ENGINEER.password)
  await page.goto('/secops?tab=events')
  await expect(page.getByRole('tab', { name: '安全事件' })).toHaveAttribute('aria-selected', 'true')
  await page.getByTestId('event-create').click()
  const dialog = page.locator('[data-testid="event-dialog"]:visible')
  await page.getByTestId('event-systems').click()
  await page.getByRole('option', { name: SYSTEM }).click()
  await dialog.getByTestId('event-title').fill(TITLE)
  await page.getByTestId('event-category').click()
  await page.getByRole('option', { name: '网络攻击事件' }).click()
  await page.getByTestId('event-grade-select').click()
  await page.getByRole('option', { name: '较大（III 级）' }).click()
  await dialog.getByTestId('event-description').fill(DESCRIPTION)
  await shot(page, 'secevents-01-record')
  await dialog.getByTestId('event-save').click()
  await expect(page.locator('.el-message', { hasText: '已创建' })).toBeVisible()

  // It opens in the drawer; the list shows it owed a report, due 4 hours after it was found.
  const drawer = page.locator('[data-testid="event-drawer"]:visible')
  await expect(drawer).toContainText(TITLE)
  await expect(drawer.getByTestId('event-drawer-status')).toHaveText('处置中')
  await expect(drawer.getByTestId('event-report-state')).toHaveText('待上报')
  const row = eventRow(page)
  await expect(row).toContainText('较大（III 级）')
  await expect(row).toContainText('网络攻击事件')
  await expect(row).toContainText(SYSTEM)
  await expect(row.getByTestId('event-report-state')).toHaveText('待上报')
  await expect(row.getByTestId('event-report-due')).toHaveText(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2} 前$/)
  await expect(drawer.getByTestId('event-stage-closed')).toHaveCount(0)
  await shot(page, 'secevents-02-owed')

  // 上报 with to whom and the number: reported in time.
  await stage(page, 'reported', '上报', REPORT_REF)
  await expect(drawer.getByTestId('event-report-state')).toHaveText('按时')
  await expect(drawer.getByTestId('event-report-ref-shown')).toHaveText(REPORT_REF)
  await expect(drawer.getByTestId('event-stage-reported')).toHaveCount(0)

  // The WAF log as evidence: kept with its SHA-256, and downloadable as it was.
  const log = Buffer.from(LOG)
  await drawer.getByTestId('event-upload').locator('input[type=file]').setInputFiles({ name: EVIDENCE, mimeType: 'text/plain', buffer: log })
  await expect(page.locator('.el-message', { hasText: '证据已上传' })).toBeVisible()
  const file = drawer.getByTestId('event-file')
  await expect(file).toContainText(EVIDENCE)
  await expect(file).toContainText(ENGINEER.name)
  await expect(file.getByTestId('event-file-sha256')).toHaveText(createHash('sha256').update(log).digest('hex'))
  const downloaded = page.waitForEvent('download')
  await file.getByTestId('event-file-download').click()
  expect((await downloaded).suggestedFilename()).toBe(EVIDENCE)

  // 控制, then 恢复; the measures written in the event.
  await stage(page, 'contained', '控制')
  await expect(drawer.getByTestId('event-drawer-status')).toHaveText('已控制')
  await stage(page, 'recovered', '恢复')
  await expect(drawer.getByTestId('event-drawer-status')).toHaveText('已恢复')
  await drawer.getByTestId('event-edit').click()
  const edit = page.locator('[data-testid="event-dialog"]:visible')
  await expect(edit.getByTestId('event-title')).toHaveValue(TITLE)
  await edit.getByTestId('event-measures').fill(MEASURES)
  await edit.getByTestId('event-save').click()
  await expect(page.locator('.el-message', { hasText: '已保存' })).toBeVisible()
  await expect(drawer.getByTestId('event-measures-shown')).toHaveText(MEASURES)
  // Closing is the bureau's.
  await expect(drawer.getByTestId('event-stage-closed')).toHaveCount(0)
  await expect(row.getByTestId('event-status')).toHaveText('已恢复')
  await shot(page, 'secevents-03-recovered')

  // The bureau closes it.
  await login(page, ADMIN.username, ADMIN.password)
  await page.goto('/secops?tab=events')
  await eventRow(page).click()
  await expect(drawer).toContainText(TITLE)
  await stage(page, 'closed', '关闭')
  await expect(drawer.getByTestId('event-drawer-status')).toHaveText('已关闭')
  await expect(drawer.getByTestId('event-edit')).toHaveCount(0)
  await expect(drawer.getByTestId('event-report-state')).toHaveText('按时')

  // The timeline lists every step, with who took it.
  const timeline = drawer.getByTestId('event-timeline')
  for (const [kind, name] of [
    ['created', '登记事件'],
    ['reported', '已上报'],
    ['evidence', '上传证据'],
    ['contained', '已控制'],
    ['recovered', '已恢复'],
    ['updated', '修改信息'],
    ['closed', '已关闭'],
  ] as const) {
    await expect(timeline.locator(`[data-kind="${kind}"]`)).toContainText(name)
  }
  await expect(timeline.locator('[data-kind="reported"]')).toContainText(ENGINEER.name)
  await expect(timeline).toContainText(REPORT_REF)
  await shot(page, 'secevents-04-closed')
  await page.keyboard.press('Escape')
  await expect(row.getByTestId('event-status')).toHaveText('已关闭')
  await expect(row.getByTestId('event-report-state')).toHaveText('按时')
})
