import { type APIRequestContext, expect, test } from '@playwright/test'

import { expectNoHorizontalScroll, login, shot, ticketStep } from './helpers'
import { ADMIN, UNIT_USER } from './world'

const ENGINEER = { username: 'gong', password: 'Engineer#E2e2026' }
const SYSTEM = '甲单位办公系统'
// A 1×1 PNG, as a phone photo would arrive.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
)

async function token(request: APIRequestContext, username: string, password: string): Promise<string> {
  const res = await request.post('/api/v1/auth/login', { data: { username, password } })
  expect(res.ok()).toBeTruthy()
  return ((await res.json()) as { token: string }).token
}

/** A vendor with an engineer, and a contract whose item covers the unit's system under the 7×24 policy of seed 004. */
async function contractWithPolicy(request: APIRequestContext): Promise<void> {
  // Once per run: the journeys below share it.
  if ((await request.post('/api/v1/auth/login', { data: ENGINEER })).ok()) return
  const admin = await token(request, ADMIN.username, ADMIN.password)
  const headers = { authorization: `Bearer ${admin}` }
  const post = async (path: string, data: unknown) => {
    const res = await request.post(`/api/v1${path}`, { headers, data })
    expect(res.ok(), `${path}: ${await res.text()}`).toBeTruthy()
    return (await res.json()) as { id: string }
  }
  const templates = (await (await request.get('/api/v1/sla/templates', { headers })).json()) as {
    items: { id: string; policy: unknown }[]
  }
  const policy = await post('/sla/policies', templates.items.find((t) => t.id === '004-row-04')!.policy)
  const systems = (await (await request.get(`/api/v1/systems?q=${encodeURIComponent(SYSTEM)}`, { headers })).json()) as {
    items: { id: string }[]
  }
  const vendor = await post('/vendors', { name: '工单运维服务公司（E2E）' })
  await post('/contracts', {
    name: '甲单位办公系统运维（E2E）',
    vendor_id: vendor.id,
    items: [
      {
        name: '软件运维',
        budget_fen: 1_000_000,
        start_date: '2020-01-01',
        end_date: '2035-12-31',
        system_ids: [systems.items[0]!.id],
        sla_policy_id: policy.id,
      },
    ],
  })
  await post('/users', { username: ENGINEER.username, role: 'engineer', vendor_id: vendor.id, password: ENGINEER.password, display_name: '龚工' })
}

test.describe('a ticket from a phone to a rating (390×844)', () => {
  test.use({
    viewport: { width: 390, height: 844 },
    hasTouch: true,
    geolocation: { latitude: 36.0976, longitude: 114.3925, accuracy: 15 },
    permissions: ['geolocation'],
  })

  test('a unit user reports, an engineer resolves, the user rates, the bureau sees the clocks met', async ({ page, request }) => {
    await contractWithPolicy(request)

    // The unit user reports a problem from the home page, with a photo from the phone.
    await login(page, UNIT_USER.username, UNIT_USER.password)
    await expect(page.getByTestId('today-my_open')).toBeVisible()
    await page.getByTestId('today-report').click()
    await page.getByTestId('report-system').click()
    await page.getByRole('option', { name: SYSTEM }).click()
    await page.getByTestId('report-severity').click()
    await page.getByRole('option', { name: /二级（严重）/ }).click()
    await page.getByTestId('report-title').fill('办公系统打不开')
    await page.getByTestId('report-description').fill('上午九点起全部科室无法登录，提示 502')
    await page.getByTestId('report-files').setInputFiles({ name: '报错截图.png', mimeType: 'image/png', buffer: PNG })
    await expectNoHorizontalScroll(page)
    await shot(page, 'tickets-01-report')
    await page.getByTestId('report-submit').click()
    await expect(page.getByTestId('ticket-status')).toHaveText('新建')
    await expect(page.getByTestId('clock-state-response')).toHaveText('计时中')
    await expect(page.locator('.yw-thumb')).toHaveCount(1)
    await expectNoHorizontalScroll(page)
    await shot(page, 'tickets-02-reported')
    const url = page.url()

    // The engineer finds it unassigned on the home page, takes it, responds and resolves it.
    await login(page, ENGINEER.username, ENGINEER.password)
    await page.getByTestId('today-unassigned').getByText('办公系统打不开').first().click()
    await expect(page).toHaveURL(url)
    await page.getByTestId('assign-me').click()
    await page.getByTestId('to-responded').click()
    await expect(page.getByTestId('ticket-status')).toHaveText('已响应')
    // On site: the arrival records where the phone is, with a photo of the machine room.
    await ticketStep(page, 'arrived')
    await page.getByTestId('arrival-photos-input').setInputFiles({ name: '机房.png', mimeType: 'image/png', buffer: PNG })
    await expect(page.getByTestId('arrival-photos').locator('img')).toHaveCount(1)
    await page.waitForTimeout(400) // the dialog's fade-in, for a readable screenshot
    await shot(page, 'tickets-02b-arrival')
    await page.getByTestId('arrival-confirm').click()
    await expect(page.getByTestId('ticket-status')).toHaveText('已到场')
    await expect(page.getByTestId('attachment-stage')).toHaveText(['到场照片'])
    await expect(page.getByText('北纬36.09760°')).toBeVisible()
    await ticketStep(page, 'in_progress')
    await expect(page.getByTestId('ticket-status')).toHaveText('处理中')
    // The outage was the carrier's line: a cause that excuses the vendor is the bureau's to accept.
    await page.getByTestId('outage-edit').click()
    await expect(page.getByTestId('outage-approval-note')).toBeVisible()
    await page.getByTestId('outage-cause-select').click()
    await page.getByRole('option', { name: '运营商/网络' }).click()
    await page.getByTestId('outage-save').click()
    await expect(page.locator('.el-message', { hasText: '已提交数据局审批，批准后生效' })).toBeVisible()
    await expect(page.getByTestId('outage-cause')).toHaveText('未登记')
    await expect(page.getByTestId('ticket-approvals').getByTestId('approval-record-status')).toHaveText('待审批')
    await page.getByTestId('comment-body').fill('已重启应用服务，请确认')
    await page.getByTestId('comment-send').click()
    // Resolving writes the service record (002 需求91): nothing moves without a resolution.
    await ticketStep(page, 'resolved')
    await expect(page.getByTestId('resolve-confirm')).toBeDisabled()
    await page.getByTestId('resolution-summary').fill('重启应用服务后恢复，已观察 30 分钟')
    await page.getByTestId('resolution-cause').fill('线路中断后应用连接未自动重连')
    await page.getByTestId('resolution-photos-input').setInputFiles({ name: '恢复.png', mimeType: 'image/png', buffer: PNG })
    await shot(page, 'tickets-03-resolve-dialog')
    await page.getByTestId('resolve-confirm').click()
    await expect(page.getByTestId('ticket-status')).toHaveText('已解决')
    await expect(page.getByTestId('attachment-stage')).toHaveText(['到场照片', '处理结果照片'])
    await page.waitForTimeout(400) // the dialog's fade-out, for a readable screenshot
    await expect(page.getByTestId('resolution-summary-shown')).toHaveText('重启应用服务后恢复，已观察 30 分钟')
    await shot(page, 'tickets-03-resolved')

    // The unit user finds it waiting for confirmation on the home page, confirms and rates it.
    await login(page, UNIT_USER.username, UNIT_USER.password)
    await page.getByTestId('today-awaiting_confirmation').getByText('办公系统打不开').first().click()
    await expect(page).toHaveURL(url)
    await expect(page.getByText('已重启应用服务，请确认')).toBeVisible()
    await page.getByTestId('to-closed').click()
    await expect(page.getByTestId('ticket-status')).toHaveText('已关闭')
    await page.getByTestId('rating').locator('.el-rate__item').nth(4).click()
    await page.getByTestId('rating-submit').click()
    await expect(page.getByTestId('rating-card')).toBeHidden()
    await expectNoHorizontalScroll(page)
    await shot(page, 'tickets-04-rated')

    // The bureau accepts the carrier as the cause from the ticket: it no longer counts against the vendor.
    await login(page, ADMIN.username, ADMIN.password)
    await page.goto(url)
    const outageRequest = page.getByTestId('ticket-approvals').getByTestId('approval-record')
    await expect(outageRequest).toContainText('中断原因')
    await outageRequest.getByTestId('approval-approve').click()
    await page.getByTestId('decision-comment').fill('已核实为运营商线路故障')
    await page.getByTestId('decision-confirm').click()
    await expect(outageRequest.getByTestId('approval-record-status')).toHaveText('已批准')
    await expect(page.getByTestId('outage-cause')).toHaveText('运营商/网络')
    await expect(page.getByTestId('outage')).toContainText('不计入运维方')
    // … and sees every clock met, and the ticket in the list.
    for (const metric of ['response', 'restore', 'resolve']) {
      await expect(page.getByTestId(`clock-state-${metric}`)).toHaveText('已达标')
    }
    await page.goto('/tickets?status=closed')
    await expect(page.getByTestId('resource-card').filter({ hasText: '办公系统打不开' })).toHaveCount(1)
    await shot(page, 'tickets-05-bureau')
  })
})

test.describe('a demand under a working-day calendar (desktop)', () => {
  test('the vendor hands in its plan, and a calendar change shows which due times move', async ({ page, request }) => {
    const admin = await token(request, ADMIN.username, ADMIN.password)
    const headers = { authorization: `Bearer ${admin}` }
    const post = async (path: string, data: unknown) => {
      const res = await request.post(`/api/v1${path}`, { headers, data })
      expect(res.ok(), `${path}: ${await res.text()}`).toBeTruthy()
      return (await res.json()) as { id: string; number: string }
    }
    const day = [
      ['08:30', '12:00'],
      ['13:30', '17:30'],
    ]
    const calendar = await post('/calendars', {
      name: '需求日历（E2E）',
      time_zone: 'Asia/Shanghai',
      holiday_sets: ['cn'],
      weekly: { mon: day, tue: day, wed: day, thu: day, fri: day, sat: [], sun: [] },
    })
    const policy = await post('/sla/policies', {
      name: '需求（E2E）',
      calendar_id: calendar.id,
      levels: [{ name: '一般', targets: { plan: { kind: 'working_days', days: 2 }, resolve: { kind: 'working_days', days: 5 } } }],
    })
    const portal = (await (await request.get(`/api/v1/systems?q=${encodeURIComponent('甲单位门户网站')}`, { headers })).json()) as {
      items: { id: string }[]
    }
    const vendor = await post('/vendors', { name: '需求开发公司（E2E）' })
    await post('/contracts', {
      name: '门户网站需求（E2E）',
      vendor_id: vendor.id,
      items: [
        { name: '需求开发', budget_fen: 500_000, start_date: '2020-01-01', end_date: '2035-12-31', system_ids: [portal.items[0]!.id], sla_policy_id: policy.id },
      ],
    })
    const ticket = await post('/tickets', { system_id: portal.items[0]!.id, type: 'request', title: '首页增加办事指南栏目' })

    // The plan milestone stops the plan clock; the resolve clock runs on.
    await login(page, ADMIN.username, ADMIN.password)
    await page.goto(`/tickets/${ticket.id}`)
    await expect(page.getByTestId('clock-state-plan')).toHaveText('计时中')
    await page.getByTestId('milestone-plan').click()
    await page.getByTestId('milestone-note').fill('方案已提交用户确认')
    await page.getByTestId('milestone-confirm').click()
    await expect(page.getByTestId('clock-state-plan')).toHaveText('已达标')
    await expect(page.getByTestId('clock-state-resolve')).toHaveText('计时中')
    await expect(page.getByTestId('milestone-plan')).toHaveCount(0)
    await shot(page, 'tickets-06-milestone')

    // Afternoons end half an hour earlier: before saving, the open ticket's move is shown.
    await page.getByTestId('menu-calendars').click()
    const row = page.getByTestId('resource-list').locator('.el-table__body tr', { hasText: '需求日历（E2E）' })
    await row.getByRole('button', { name: '编辑' }).click()
    await page.getByTestId('weekday-mon').locator('input').nth(3).fill('17:00')
    await page.getByRole('button', { name: '周一的时间复制到周二至周五' }).click()
    await page.getByTestId('form-save').click()
    const box = page.locator('.el-message-box')
    await expect(box).toContainText(ticket.number)
    await expect(box).toContainText('17:30 →')
    await shot(page, 'tickets-07-calendar-preview')
    await box.getByRole('button', { name: /确定|OK/ }).click()
    await expect(page.getByTestId('form-dialog')).toBeHidden()
    // The clock job recomputes open tickets on the changed calendar within seconds.
    await page.goto(`/tickets/${ticket.id}`)
    await expect(async () => {
      await page.reload()
      await expect(page.getByTestId('clock-resolve')).toContainText('17:00', { timeout: 1000 })
    }).toPass({ timeout: 20_000 })
  })
})

test.describe('a pause needs the unit’s consent', () => {
  test('an engineer asks to pause a ticket; the reporting unit approves it from the ticket page (phone)', async ({ page, request }) => {
    await contractWithPolicy(request)
    const unit = await token(request, UNIT_USER.username, UNIT_USER.password)
    const headers = { authorization: `Bearer ${unit}` }
    const systems = (await (await request.get(`/api/v1/systems?q=${encodeURIComponent(SYSTEM)}`, { headers })).json()) as {
      items: { id: string }[]
    }
    const created = await request.post('/api/v1/tickets', {
      headers,
      data: { system_id: systems.items[0]!.id, type: 'incident', title: '公文打印服务异常（E2E）', description: '打印队列卡住' },
    })
    expect(created.ok(), await created.text()).toBeTruthy()
    const ticket = (await created.json()) as { id: string }

    // The engineer works on it, then asks to pause while waiting for the user.
    await login(page, ENGINEER.username, ENGINEER.password)
    await page.goto(`/tickets/${ticket.id}`)
    await page.getByTestId('assign-me').click()
    await page.getByTestId('to-responded').click()
    await expect(page.getByTestId('ticket-status')).toHaveText('已响应')
    await page.getByTestId('to-in_progress').click()
    await expect(page.getByTestId('ticket-status')).toHaveText('处理中')
    await ticketStep(page, 'pending')
    await expect(page.getByTestId('pause-approval-note')).toBeVisible()
    await page.getByTestId('move-reason').fill('等待用户提供打印机型号和报错截图')
    await page.getByTestId('move-confirm').click()
    await expect(page.locator('.el-message', { hasText: '已提交数据局审批，批准后生效' })).toBeVisible()
    await expect(page.getByTestId('ticket-status')).toHaveText('处理中')
    await expect(page.getByTestId('clock-state-resolve')).toHaveText('计时中')
    const pauseRequest = page.getByTestId('ticket-approvals').getByTestId('approval-record')
    await expect(pauseRequest.getByTestId('approval-record-status')).toHaveText('待审批')
    await expect(pauseRequest).toContainText('等待用户提供打印机型号和报错截图')
    await expect(pauseRequest.getByTestId('approval-approve')).toHaveCount(0)
    await shot(page, 'tickets-08-pause-requested')

    // The reporting unit's user, on a phone, approves it where the ticket is read.
    await page.setViewportSize({ width: 390, height: 844 })
    await login(page, UNIT_USER.username, UNIT_USER.password)
    await page.goto(`/tickets/${ticket.id}`)
    await expect(pauseRequest.getByTestId('approval-record-status')).toHaveText('待审批')
    await expectNoHorizontalScroll(page)
    await shot(page, 'tickets-09-pause-to-approve')
    await pauseRequest.getByTestId('approval-approve').click()
    await page.getByTestId('decision-comment').fill('同意，我们下午提供截图')
    await page.getByTestId('decision-confirm').click()
    await expect(page.getByTestId('ticket-status')).toHaveText('挂起')
    await expect(pauseRequest.getByTestId('approval-record-status')).toHaveText('已批准')
    await expect(page.getByTestId('clock-state-resolve')).toHaveText('已暂停')
    await expectNoHorizontalScroll(page)
    await shot(page, 'tickets-10-paused')
  })
})

test.describe('duty (desktop)', () => {
  test('the bureau puts the engineer on duty; the engineer sees it on the home page', async ({ page, request }) => {
    await contractWithPolicy(request)
    await login(page, ADMIN.username, ADMIN.password)
    await page.getByTestId('menu-duty').click()
    await page.getByTestId('duty-create').click()
    await page.getByTestId('duty-contract').click()
    await page.getByRole('option', { name: '甲单位办公系统运维（E2E）' }).click()
    await page.getByTestId('duty-person').click()
    await page.getByRole('option', { name: /龚工/ }).click()
    const pad = (n: number) => String(n).padStart(2, '0')
    // The picker shows Beijing time; the shift runs from a minute ago for eight hours.
    const bj = (d: Date) => {
      const b = new Date(d.getTime() + 8 * 3600_000)
      return `${b.getUTCFullYear()}-${pad(b.getUTCMonth() + 1)}-${pad(b.getUTCDate())} ${pad(b.getUTCHours())}:${pad(b.getUTCMinutes())}:00`
    }
    const inputs = page.locator('.el-dialog .el-range-input')
    await inputs.nth(0).click()
    await inputs.nth(0).fill(bj(new Date(Date.now() - 60_000)))
    await inputs.nth(0).press('Enter')
    await inputs.nth(1).fill(bj(new Date(Date.now() + 8 * 3600_000)))
    await inputs.nth(1).press('Enter')
    await page.getByTestId('duty-note').fill('白班值守')
    await shot(page, 'duty-01-form')
    await page.getByTestId('form-save').click()
    await expect(page.getByTestId('resource-list')).toContainText('龚工')
    await expect(page.getByTestId('resource-list').locator('.el-table__body tr', { hasText: '白班值守' }).first()).toContainText('值班中')
    await shot(page, 'duty-02-list')

    await login(page, ENGINEER.username, ENGINEER.password)
    const card = page.getByTestId('today-my_duty')
    await expect(card).toContainText('甲单位办公系统运维（E2E） · 白班值守')
    await expect(card.getByTestId('today-item').first()).toContainText('值班中')
    await shot(page, 'duty-03-engineer-home')
  })
})

test.describe('indicators (desktop)', () => {
  test("the bureau reads a contract's indicators from its tickets", async ({ page, request }) => {
    await contractWithPolicy(request)
    await login(page, ADMIN.username, ADMIN.password)
    await page.getByTestId('menu-contracts').click()
    await page.getByTestId('resource-list').getByText('甲单位办公系统运维（E2E）').click()
    const card = page.getByTestId('contract-kpis')
    await expect(card.getByTestId('kpi-ticket_count')).toBeVisible()
    await page.getByTestId('kpi-period-year').click()
    await expect(card.getByTestId('kpi-ticket_count')).toContainText(/工单总数\s*\d+/)
    await expect(card.getByTestId('kpi-response_on_time_rate')).toContainText(/响应及时率\s*(\d+\.\d%|未测量)/)
    await expect(card.getByTestId('kpi-inspection_completion_rate')).toBeVisible()
    await expect(card.getByTestId('kpi-ticket_count').getByTestId('kpi-breakdown')).toContainText('二级（严重）')
    await card.scrollIntoViewIfNeeded()
    await shot(page, 'kpis-01-contract')

    // The bureau sets the item's targets from a tender clause: response on time ≥ 98 % (004 row 30).
    await page.getByRole('button', { name: '编辑' }).click()
    const item = page.getByTestId('item-0')
    await item.getByTestId('target-templates').click()
    await page.getByRole('menuitem', { name: /报障后响应率不低于 98%/ }).click()
    await expect(item.getByTestId('item-targets')).toContainText('响应及时率')
    await page.getByTestId('form-save').click()
    await expect(page.getByTestId('item-targets-view')).toContainText('响应及时率 ≥ 98.0%')
    const rate = card.getByTestId('kpi-response_on_time_rate')
    await expect(rate.getByTestId('kpi-target')).toContainText(/(达标|未达标|未测量)\s*≥ 98.0%/)
    // A click opens the figure: its target, its trend month by month, and the tickets behind it.
    await rate.click()
    const drawer = page.getByTestId('kpi-drawer')
    await expect(drawer.getByTestId('kpi-target-result')).toContainText('≥ 98.0%')
    await expect(drawer.locator('canvas')).toBeVisible()
    await shot(page, 'kpis-02-drawer')
    await drawer.getByTestId('kpi-behind').click()
    await expect(page).toHaveURL(/\/tickets\?.*breached=true/)
    await expect(page.getByTestId('resource-list')).toBeVisible()
  })
})
