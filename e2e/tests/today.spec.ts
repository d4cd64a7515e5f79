import { type APIRequestContext, expect, test } from '@playwright/test'

import { expectNoHorizontalScroll, login, shot } from './helpers'
import { ADMIN } from './world'

const PM = { username: 'zhao', password: 'Manager#E2e2026' }
const SYSTEM = '乙单位视频会议系统'

/**
 * A vendor manager for the video-conference system under a one-hour response target, and two
 * tickets the bureau back-fills: one reported 50 minutes ago (amber: 80 % of the hour is used),
 * one 70 minutes ago (breached).
 */
async function world(request: APIRequestContext, stamp: string): Promise<{ risky: string; late: string }> {
  const login = await request.post('/api/v1/auth/login', { data: ADMIN })
  const headers = { authorization: `Bearer ${((await login.json()) as { token: string }).token}` }
  const post = async (path: string, data: unknown) => {
    const res = await request.post(`/api/v1${path}`, { headers, data })
    expect(res.ok(), `${path}: ${await res.text()}`).toBeTruthy()
    return (await res.json()) as { id: string }
  }
  const systems = (await (await request.get(`/api/v1/systems?q=${encodeURIComponent(SYSTEM)}`, { headers })).json()) as {
    items: { id: string }[]
  }
  const system = systems.items[0]!.id
  if (!(await request.post('/api/v1/auth/login', { data: PM })).ok()) {
    const policy = await post('/sla/policies', {
      name: '视频会议（E2E）',
      calendar_id: 'preset-7x24',
      levels: [{ name: '一般', targets: { response: { kind: 'calendar', minutes: 60 }, resolve: { kind: 'calendar', minutes: 480 } } }],
    })
    const vendor = await post('/vendors', { name: '视频会议运维公司（E2E）' })
    await post('/contracts', {
      name: '视频会议系统运维（E2E）',
      vendor_id: vendor.id,
      items: [{ name: '视频会议运维', budget_fen: 500_000, start_date: '2020-01-01', end_date: '2035-12-31', system_ids: [system], sla_policy_id: policy.id }],
    })
    await post('/users', { username: PM.username, role: 'vendor_pm', vendor_id: vendor.id, password: PM.password, display_name: '赵经理' })
  }
  const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString()
  const report = (title: string, minutes: number) =>
    post('/tickets', { system_id: system, type: 'incident', severity: '一般', title, channel: 'phone', reported_at: ago(minutes) })
  await report(`会议室终端无声音 ${stamp}`, 50)
  await report(`视频会议无法入会 ${stamp}`, 70)
  return { risky: `会议室终端无声音 ${stamp}`, late: `视频会议无法入会 ${stamp}` }
}

test('the vendor manager clears the at-risk list from the home page (desktop)', async ({ page, request }) => {
  const { risky } = await world(request, String(Date.now() % 100000))
  await login(page, PM.username, PM.password)
  const card = page.getByTestId('today-at_risk')
  await expect(card.getByText(risky)).toBeVisible()
  await expect(page.getByTestId('today-breached-count')).not.toHaveText('0')
  await shot(page, 'today-01-manager')

  // The card opens the list already filtered; the ticket opens from it.
  await page.getByTestId('today-at_risk-link').click()
  await expect(page).toHaveURL(/at_risk=true/)
  await expect(page.getByTestId('resource-list')).toContainText(risky)
  await shot(page, 'today-02-at-risk-list')
  await page.getByTestId('resource-list').getByText(risky).click()
  await expect(page.getByTestId('clock-risk-resolve')).toBeVisible()
  await page.getByTestId('to-responded').click()
  await expect(page.getByTestId('ticket-status')).toHaveText('已响应')

  await page.getByTestId('menu-home').click()
  await expect(page.getByTestId('today-at_risk')).toBeVisible()
  await expect(page.getByTestId('today-at_risk').getByText(risky)).toHaveCount(0)
  await shot(page, 'today-03-cleared')
})

test.describe('on a phone (390×844)', () => {
  test.use({ viewport: { width: 390, height: 844 }, hasTouch: true })

  test('the bureau follows a breached ticket from the home page', async ({ page, request }) => {
    const { late } = await world(request, String(Date.now() % 100000))
    await login(page, ADMIN.username, ADMIN.password)
    const card = page.getByTestId('today-breached')
    await expect(card.getByText(late)).toBeVisible()
    await expect(card.getByTestId('today-item').filter({ hasText: late })).toContainText(SYSTEM)
    await expectNoHorizontalScroll(page)
    await shot(page, 'today-04-bureau-phone')
    await card.getByText(late).click()
    await expect(page.getByTestId('clock-state-response')).toHaveText('已超时')
    await expectNoHorizontalScroll(page)
    await shot(page, 'today-05-breached-ticket')
    // The registry overview is one tap away.
    await page.getByTestId('menu-toggle').click()
    await page.getByTestId('menu-dashboard').click()
    await expect(page.getByTestId('tile-systems')).toBeVisible()
  })
})
