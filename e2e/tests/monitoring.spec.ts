import { expect, test } from '@playwright/test'

import { login, shot } from './helpers'
import { ADMIN } from './world'

test('the bureau adds an HTTP monitor, sees it up, and reads the system’s availability', async ({ page, baseURL }) => {
  await login(page, ADMIN.username, ADMIN.password)
  await page.getByTestId('menu-monitoring').click()
  await page.getByTestId('monitor-create').click()
  await page.getByTestId('monitor-system').click()
  await page.getByRole('option', { name: '乙单位数据平台' }).click()
  await page.getByTestId('monitor-target').fill(`${baseURL}/healthz`)
  await page.getByTestId('monitor-name').fill('数据平台健康检查（E2E）')
  await page.getByTestId('monitor-interval').locator('input').fill('1')
  // The server's own health page, checked by the server's probes every second.
  await page.getByTestId('form-save').click()
  const row = page.getByRole('row').filter({ hasText: '数据平台健康检查（E2E）' })
  await expect(row).toHaveCount(1)
  await expect(async () => {
    await page.getByRole('button', { name: '刷新' }).click()
    await expect(row.getByTestId('monitor-state')).toHaveText('正常', { timeout: 1000 })
  }).toPass({ timeout: 20_000 })
  await expect(row).toContainText('ms')
  await shot(page, 'monitoring-01-monitors')

  // A bad target is refused with the field named.
  await page.getByTestId('monitor-create').click()
  await page.getByTestId('monitor-system').click()
  await page.getByRole('option', { name: '乙单位数据平台' }).click()
  await page.getByTestId('monitor-kind-tcp').click()
  await page.getByTestId('monitor-target').fill('db.local')
  await page.getByTestId('form-save').click()
  await expect(page.getByTestId('form-dialog')).toContainText('应为 主机:端口')
  await page.getByRole('button', { name: '取消' }).click()

  await page.getByRole('tab', { name: '可用性' }).click()
  await page.getByTestId('availability-system').click()
  await page.getByRole('option', { name: '乙单位数据平台' }).click()
  await expect(page.getByTestId('availability')).toContainText('100.000%')
  await expect(page.getByText('本期无中断')).toBeVisible()
  await shot(page, 'monitoring-02-availability')
  await page.getByRole('tab', { name: '证书到期' }).click()
  await expect(page.getByTestId('certificates')).toContainText('暂无 TLS 证书监控')
})
