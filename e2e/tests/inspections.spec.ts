import { expect, test } from '@playwright/test'

import { expectNoHorizontalScroll, login, shot } from './helpers'
import { ADMIN } from './world'

const ENGINEER = { username: 'xun', password: 'Engineer#Patrol26' }
const SYSTEM = '甲单位门户网站'
// A 1×1 PNG, as the phone camera would hand it over.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
)

test.describe('an inspection on a phone (390×844)', () => {
  test.use({ viewport: { width: 390, height: 844 }, hasTouch: true })

  test('an engineer completes an inspection with a photo and an abnormal item; the bureau sees the record and the ticket', async ({
    page,
    request,
  }) => {
    // The bureau's world: a vendor covering the portal, its engineer, a checklist and a daily plan.
    const res = await request.post('/api/v1/auth/login', { data: ADMIN })
    const headers = { authorization: `Bearer ${((await res.json()) as { token: string }).token}` }
    const post = async (path: string, data: unknown) => {
      const r = await request.post(`/api/v1${path}`, { headers, data })
      expect(r.ok(), `${path}: ${await r.text()}`).toBeTruthy()
      return (await r.json()) as { id: string }
    }
    const systems = (await (await request.get(`/api/v1/systems?q=${encodeURIComponent(SYSTEM)}`, { headers })).json()) as {
      items: { id: string }[]
    }
    const system = systems.items[0]!.id
    const vendor = await post('/vendors', { name: '巡检运维服务公司（E2E）' })
    await post('/contracts', {
      name: '甲单位门户网站运维（E2E）',
      vendor_id: vendor.id,
      items: [{ name: '网站运维', budget_fen: 500_000, start_date: '2020-01-01', end_date: '2035-12-31', system_ids: [system] }],
    })
    const engineer = await post('/users', {
      username: ENGINEER.username,
      role: 'engineer',
      vendor_id: vendor.id,
      password: ENGINEER.password,
      display_name: '荀工',
    })
    const template = await post('/inspection-templates', {
      name: '门户网站机房巡检（E2E）',
      kind: 'machine_room',
      items: [
        { id: 'cabinet', name: '服务器机柜指示灯', group: '机柜', result_type: 'normal_abnormal', photo_required: true },
        { id: 'disk', name: '磁盘使用率', group: '服务器', result_type: 'number', unit: '%', max: 80 },
      ],
    })
    await post('/inspection-plans', {
      system_id: system,
      template_id: template.id,
      recurrence: { every: 'day' },
      holiday_rule: 'keep',
      assignee_id: engineer.id,
    })

    // The engineer opens today's task from the menu.
    await login(page, ENGINEER.username, ENGINEER.password)
    await page.getByTestId('menu-toggle').click()
    await page.getByTestId('menu-inspections').click()
    const card = page.getByTestId('resource-card').filter({ hasText: '门户网站机房巡检（E2E）' }).first()
    await expect(card).toBeVisible()
    await expectNoHorizontalScroll(page)
    await shot(page, 'inspections-01-tasks')
    await card.click()
    await expect(page.getByTestId('item-cabinet')).toBeVisible()

    // The cabinet needs a photo, the abnormal disk a word, the record a signature: signing
    // without them names each, and sends nothing.
    await page.getByTestId('item-cabinet').getByTestId('normal').click()
    await page.getByTestId('item-disk').getByTestId('number').fill('91')
    await page.getByTestId('sign').click()
    await expect(page.getByTestId('item-cabinet')).toContainText('需要拍照')
    await expect(page.getByTestId('item-disk')).toContainText('请说明情况')
    await expect(page.getByTestId('signature-error')).toHaveText('请在上方签名')
    await page.getByTestId('camera-cabinet').setInputFiles({ name: 'cabinet.png', mimeType: 'image/png', buffer: PNG })
    await expect(page.getByTestId('item-cabinet').getByTestId('photo')).toHaveCount(1)
    await expect(page.getByTestId('item-cabinet')).not.toContainText('需要拍照')
    await page.getByTestId('item-disk').getByTestId('note').fill('/data 分区 91%')
    await page.getByTestId('item-disk').getByTestId('suggestion').fill('清理归档日志并扩容')
    await drawSignature(page)
    await expectNoHorizontalScroll(page)
    await shot(page, 'inspections-02-form')
    await page.getByTestId('sign').click()
    // Outside the task's window the form asks first (and the record says early or late).
    await expect(page.getByTestId('record').or(page.locator('.el-message-box'))).toBeVisible()
    if (await page.locator('.el-message-box').isVisible()) await page.locator('.el-message-box .el-button--primary').click()
    await expect(page.getByTestId('record')).toBeVisible()
    await expect(page.getByTestId('record-signature')).toBeVisible()
    await expect(page.getByTestId('record-timing')).toBeVisible()
    await expect(page.getByTestId('task-status')).toHaveText('已完成')
    await expect(page.getByTestId('result-disk').getByTestId('ticket-link')).toContainText('处理中')
    await expect(page.getByTestId('result-cabinet').getByTestId('record-photo')).toHaveCount(1)
    await shot(page, 'inspections-03-signed')

    // The bureau finds the record with its abnormal item, and follows it to the new ticket.
    await login(page, ADMIN.username, ADMIN.password)
    await page.goto('/inspections?tab=records')
    const record = page.getByTestId('resource-card').filter({ hasText: '门户网站机房巡检（E2E）' })
    await expect(record).toHaveCount(1)
    await expect(record).toContainText('荀工')
    await record.click()
    await expect(page.getByTestId('result-disk')).toContainText('清理归档日志并扩容')
    await expect(page.getByTestId('result-disk')).toContainText('91%')
    await page.getByTestId('result-disk').getByTestId('ticket-link').click()
    await expect(page.getByRole('heading', { name: /巡检异常：磁盘使用率/ })).toBeVisible()
    await expect(page.getByTestId('ticket-status')).toHaveText('新建')
    await expectNoHorizontalScroll(page)
    await shot(page, 'inspections-04-ticket')
  })
})

/** Draws a short stroke on the signature pad, as a finger would. */
async function drawSignature(page: import('@playwright/test').Page): Promise<void> {
  const box = (await page.getByTestId('signature-pad').boundingBox())!
  await page.mouse.move(box.x + 20, box.y + box.height / 2)
  await page.mouse.down()
  for (let i = 1; i <= 10; i++) await page.mouse.move(box.x + 20 + i * 15, box.y + box.height / 2 + (i % 2 ? 12 : -12))
  await page.mouse.up()
}
