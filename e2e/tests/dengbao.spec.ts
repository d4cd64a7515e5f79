import { type APIRequestContext, expect, type Page, test } from '@playwright/test'

import { expectNoHorizontalScroll, login, shot } from './helpers'
import { ADMIN, UNIT_USER } from './world'

// 等保测评: a level-3 system is filed and assessed by the bureau, whose next assessment falls due a
// year later; the assessment leaves a rectification item that the vendor's engineer reports done
// and the bureau closes; the year's programme counts the system assessed.
const SYSTEM = '乙单位视频会议系统'
const ENGINEER = { username: 'xu', password: 'Engineer#Dengbao2026', name: '徐工' }
const FILING = '41050013002-26001'
const ASSESSOR = '河南信安等级测评中心'
const ITEM = '数据库审计日志留存不足六个月'

test.describe.configure({ mode: 'serial' })

/** `YYYY-MM-DD` in Beijing, `days` from now. */
function bureauDay(days = 0): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date(Date.now() + days * 86_400_000))
}

/** The same day `years` later (29 February falls back to the 28th), as the server counts a cycle. */
function yearsLater(day: string, years: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number]
  const last = new Date(Date.UTC(y + years, m, 0)).getUTCDate()
  return `${y + years}-${String(m).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`
}

/**
 * The system graded level 3 in the registry (read and sent back whole), and a vendor whose
 * contract covers it with its engineer — the vendor once per run.
 */
async function dengbaoWorld(request: APIRequestContext): Promise<void> {
  const res = await request.post('/api/v1/auth/login', { data: ADMIN })
  const headers = { authorization: `Bearer ${((await res.json()) as { token: string }).token}` }
  const systems = (await (await request.get(`/api/v1/systems?q=${encodeURIComponent(SYSTEM)}`, { headers })).json()) as {
    items: { id: string }[]
  }
  const id = systems.items[0]!.id
  const system = (await (await request.get(`/api/v1/systems/${id}`, { headers })).json()) as Record<string, unknown>
  const put = await request.put(`/api/v1/systems/${id}`, { headers, data: { ...system, dengbao_level: 3 } })
  expect(put.ok(), await put.text()).toBeTruthy()

  if ((await request.post('/api/v1/auth/login', { data: { username: ENGINEER.username, password: ENGINEER.password } })).ok()) return
  const post = async (path: string, data: unknown) => {
    const r = await request.post(`/api/v1${path}`, { headers, data })
    expect(r.ok(), `${path}: ${await r.text()}`).toBeTruthy()
    return (await r.json()) as { id: string }
  }
  const vendor = await post('/vendors', { name: '视频会议系统运维公司（E2E）' })
  await post('/contracts', {
    name: '乙单位视频会议系统运维（E2E）',
    vendor_id: vendor.id,
    items: [{ name: '系统运维', budget_fen: 300_000, start_date: '2020-01-01', end_date: '2035-12-31', system_ids: [id] }],
  })
  await post('/users', { username: ENGINEER.username, role: 'engineer', vendor_id: vendor.id, password: ENGINEER.password, display_name: ENGINEER.name })
}

function systemRow(page: Page) {
  return page.getByTestId('dengbao-systems').locator('.el-table__body tr', { hasText: SYSTEM })
}

/** Types a day into a date picker and confirms it. */
async function pickDay(page: Page, testId: string, day: string): Promise<void> {
  const input = page.getByTestId(testId).locator('input')
  await input.fill(day)
  await input.press('Enter')
}

async function saveDialog(page: Page): Promise<void> {
  await page.locator('[data-testid="form-save"]:visible').click()
}

test('the bureau files and assesses a level-3 system, the engineer reports its item done, the bureau closes it', async ({ page, request }) => {
  test.setTimeout(120_000)
  await dengbaoWorld(request)
  const today = bureauDay()
  const year = today.slice(0, 4)

  // The bureau opens the tab: the programme with its default quota, the system graded level 3.
  await login(page, ADMIN.username, ADMIN.password)
  await page.getByTestId('menu-secops').click()
  await page.getByRole('tab', { name: '等保测评' }).click()
  await expect(page).toHaveURL(/tab=dengbao/)
  await expect(page.getByTestId('programme')).toContainText(`${year} 年度等保测评计划`)
  await expect(page.getByTestId('programme-quota')).toHaveText('50')
  await expect(page.getByTestId('programme-assessed')).toHaveText('0')
  await expect(systemRow(page)).toContainText('第三级')
  await expect(systemRow(page)).toContainText('未测评')

  // The quota, edited in place.
  await page.getByTestId('quota-edit').click()
  await page.getByTestId('quota-input').locator('input').fill('60')
  await page.getByTestId('quota-save').click()
  await expect(page.locator('.el-message', { hasText: '年度计划已保存' })).toBeVisible()
  await expect(page.getByTestId('programme-quota')).toHaveText('60')

  // 编辑备案: never assessed, the system is due since its filing — overdue, and due this year.
  await systemRow(page).getByTestId('row-record').click()
  await page.getByTestId('record-filing-number').fill(FILING)
  await pickDay(page, 'record-filed-on', '2024-06-01')
  await shot(page, 'dengbao-01-filing')
  await saveDialog(page)
  await expect(page.locator('.el-message', { hasText: '备案信息已保存' })).toBeVisible()
  await expect(systemRow(page)).toContainText(FILING)
  await expect(systemRow(page).getByTestId('next-due')).toHaveText('2024-06-01')
  await expect(systemRow(page).getByTestId('overdue')).toHaveText('逾期')
  await page.getByTestId('dengbao-scope').getByText('只看本年应测').click()
  await expect(systemRow(page)).toBeVisible()
  await shot(page, 'dengbao-02-overdue')
  await page.getByTestId('dengbao-scope').getByText('全部系统').click()

  // 录入测评 today: the next one falls due a year later, and the system is no longer overdue.
  await systemRow(page).getByTestId('row-assessment').click()
  await expect(page.getByTestId('assessment-date').locator('input')).toHaveValue(today)
  await page.getByTestId('assessment-assessor').fill(ASSESSOR)
  await page.getByTestId('assessment-score').locator('input').fill('86.5')
  await page.getByTestId('assessment-conclusion').getByText('良').click()
  await shot(page, 'dengbao-03-assessment')
  await saveDialog(page)
  await expect(page.locator('.el-message', { hasText: '测评已录入' })).toBeVisible()
  await expect(systemRow(page).getByTestId('last-assessment')).toContainText(`${today} ${ASSESSOR} · 86.5`)
  await expect(systemRow(page)).toContainText('良')
  await expect(systemRow(page).getByTestId('next-due')).toHaveText(yearsLater(today, 1))
  await expect(systemRow(page).getByTestId('overdue')).toHaveCount(0)
  await expect(page.getByTestId('programme-assessed')).toHaveText('1')

  // 新增整改项 from the assessment, due in a month.
  await systemRow(page).getByTestId('row-item').click()
  await page.getByTestId('item-title').fill(ITEM)
  await page.getByTestId('item-risk').getByText('高风险').click()
  await pickDay(page, 'item-deadline', bureauDay(30))
  await expect(page.getByTestId('item-assessment')).toContainText(`${today} ${ASSESSOR}`)
  await saveDialog(page)
  await expect(page.locator('.el-message', { hasText: '整改项已新增' })).toBeVisible()
  await expect(systemRow(page).getByTestId('open-items')).toHaveText('未关闭 1')
  await shot(page, 'dengbao-04-register')

  // The engineer of the vendor reports it done, with what was done.
  await login(page, ENGINEER.username, ENGINEER.password)
  await page.goto('/secops?tab=dengbao')
  await expect(page.getByTestId('quota-edit')).toHaveCount(0)
  await expect(systemRow(page).getByTestId('row-record')).toHaveCount(0)
  await page.getByTestId('dengbao-view').getByText('整改跟踪').click()
  const itemRow = page.getByTestId('dengbao-items').locator('.el-table__body tr', { hasText: ITEM })
  await expect(itemRow.getByTestId('item-status')).toHaveText('待整改')
  await expect(itemRow.getByTestId('item-risk-tag')).toHaveText('高风险')
  await expect(itemRow.getByTestId('item-to-closed')).toHaveCount(0)
  await itemRow.getByTestId('item-to-done').click()
  await page.locator('[data-testid="item-move-confirm"]:visible').click()
  await expect(page.locator('[data-testid="item-move-dialog"]:visible')).toContainText('请说明整改情况或退回原因')
  await page.locator('textarea[data-testid="item-note"]:visible').fill('已将数据库审计日志外送至日志审计平台，留存期设为 180 天')
  await shot(page, 'dengbao-05-report-done')
  await page.locator('[data-testid="item-move-confirm"]:visible').click()
  await expect(page.locator('.el-message', { hasText: '已整改待确认' })).toBeVisible()
  await expect(itemRow.getByTestId('item-status')).toHaveText('已整改待确认')
  await expect(itemRow.getByTestId('item-to-done')).toHaveCount(0)

  // The bureau reads the report in the system's drawer and closes the item.
  await login(page, ADMIN.username, ADMIN.password)
  await page.goto('/secops?tab=dengbao')
  await systemRow(page).click()
  const drawer = page.getByTestId('dengbao-drawer')
  await expect(drawer.getByTestId('drawer-next-due')).toHaveText(yearsLater(today, 1))
  await expect(drawer.getByTestId('assessment-row')).toContainText(ASSESSOR)
  await expect(drawer.getByTestId('assessment-row')).toContainText('测评结论：良')
  const drawerItem = drawer.locator('.el-table__body tr', { hasText: ITEM })
  await expect(drawerItem).toContainText('留存期设为 180 天')
  await page.waitForTimeout(500) // the drawer slides in
  await shot(page, 'dengbao-06-drawer')
  await drawerItem.getByTestId('item-to-closed').click()
  await page.locator('[data-testid="item-move-confirm"]:visible').click()
  await expect(page.locator('.el-message', { hasText: '已关闭' })).toBeVisible()
  await expect(drawerItem.getByTestId('item-status')).toHaveText('已关闭')
  await expect(drawerItem).toContainText('系统管理员')
  await page.keyboard.press('Escape')

  // The programme: one system assessed this year; nothing left open on the system.
  await expect(page.getByTestId('programme-assessed')).toHaveText('1')
  await expect(page.getByTestId('programme-progress')).toContainText('2%')
  await expect(systemRow(page).getByTestId('open-items')).toHaveText('未关闭 0')
  await page.getByTestId('dengbao-view').getByText('整改跟踪').click()
  await page.getByTestId('items-status').click()
  await page.getByRole('option', { name: '已关闭' }).click()
  await expect(page.getByTestId('dengbao-items').locator('.el-table__body tr', { hasText: ITEM })).toBeVisible()
  await shot(page, 'dengbao-07-closed')
})

test('a unit’s clerk reads the 等保 register with nothing to change', async ({ page }) => {
  await login(page, UNIT_USER.username, UNIT_USER.password)
  await page.goto('/secops?tab=dengbao')
  await expect(page.getByTestId('programme')).toBeVisible()
  await expect(page.getByTestId('dengbao-systems').locator('.el-table__body tr', { hasText: '甲单位办公系统' })).toBeVisible()
  await expect(systemRow(page)).toHaveCount(0) // another unit's system
  await expect(page.getByTestId('quota-edit')).toHaveCount(0)
  await expect(page.getByTestId('row-assessment')).toHaveCount(0)
})

test.describe('on a phone (390×844)', () => {
  test.use({ viewport: { width: 390, height: 844 }, hasTouch: true })

  test('the register is cards and fits the screen', async ({ page }) => {
    await login(page, ADMIN.username, ADMIN.password)
    await page.goto('/secops?tab=dengbao')
    const card = page.getByTestId('resource-card').filter({ hasText: SYSTEM })
    await expect(card).toContainText('第三级')
    await expect(card).toContainText(ASSESSOR)
    await expect(page.getByTestId('dengbao-systems').locator('.el-table')).toHaveCount(0)
    await expectNoHorizontalScroll(page)
    await shot(page, 'dengbao-08-phone')
    await card.locator('.yw-item-title').click()
    await expect(page.getByTestId('dengbao-drawer')).toContainText(ASSESSOR)
    await expectNoHorizontalScroll(page)
    await page.waitForTimeout(500)
    await shot(page, 'dengbao-09-phone-drawer')
    await page.keyboard.press('Escape')
    await page.getByTestId('dengbao-view').getByText('整改跟踪').click()
    await expect(page.getByTestId('dengbao-items').getByTestId('resource-card').filter({ hasText: ITEM })).toContainText('已关闭')
    await expectNoHorizontalScroll(page)
    await shot(page, 'dengbao-10-phone-items')
  })
})
