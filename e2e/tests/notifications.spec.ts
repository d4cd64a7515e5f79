import * as http from 'node:http'
import type { AddressInfo } from 'node:net'

import { expect, test } from '@playwright/test'

import { login, shot } from './helpers'
import { ADMIN } from './world'

// An administrator adds the on-call group's WeCom robot and sends a test: the robot's address
// receives the markdown message, and the delivery log says it was sent.
test('an administrator adds a WeCom channel and sends a test', async ({ page }) => {
  const received: { path: string; body: string }[] = []
  const robot = http.createServer((req, res) => {
    let body = ''
    req.on('data', (c: Buffer) => (body += c.toString()))
    req.on('end', () => {
      received.push({ path: req.url ?? '', body })
      res.setHeader('Content-Type', 'application/json')
      res.end('{"errcode":0,"errmsg":"ok"}')
    })
  })
  await new Promise<void>((resolve) => robot.listen(0, '127.0.0.1', resolve))
  const port = (robot.address() as AddressInfo).port
  try {
    await login(page, ADMIN.username, ADMIN.password)
    await page.getByTestId('menu-notify').click()
    await page.getByTestId('add-channel').click()
    await page.getByTestId('channel-name').fill('运维值班群（E2E）')
    await page.getByTestId('channel-webhook').fill(`http://127.0.0.1:${port}/cgi-bin/webhook/send?key=E2E`)
    await page.getByTestId('form-save').click()
    const row = page.getByTestId('channels').locator('tr', { hasText: '运维值班群（E2E）' })
    await expect(row).toContainText('企业微信')
    await row.getByTestId('test-channel').click()
    await expect(page.locator('.el-message__content', { hasText: '测试消息已发送' })).toBeVisible()
    expect(received).toHaveLength(1)
    expect(received[0].path).toBe('/cgi-bin/webhook/send?key=E2E')
    const body = JSON.parse(received[0].body) as { msgtype: string; markdown: { content: string } }
    expect(body.msgtype).toBe('markdown')
    expect(body.markdown.content).toContain('运维值班群（E2E）')
    await page.getByRole('tab', { name: '发送记录' }).click()
    await expect(page.getByTestId('delivery-log')).toContainText('已发送')
    await shot(page, 'notifications-01-test-sent')
  } finally {
    robot.close()
  }
})
