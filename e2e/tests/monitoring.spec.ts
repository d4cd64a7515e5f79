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
  // The figure needs the monitor's first results written (every 5 s); until then there is none.
  await expect(async () => {
    await page.getByTestId('availability-refresh').click()
    await expect(page.getByTestId('availability')).toContainText('100.000%', { timeout: 1000 })
  }).toPass({ timeout: 20_000 })
  await expect(page.getByTestId('availability-unmeasured')).toHaveCount(0)
  await expect(page.getByText('本期无中断')).toBeVisible()
  await shot(page, 'monitoring-02-availability')
  // The whole year, for the annual figure the contract promises.
  await page.getByTestId('availability-span').getByText('按年').click()
  await expect(page.getByTestId('availability')).toContainText('100.000%')

  // Sunday night's planned maintenance, in Beijing time, does not count against the vendor.
  const dialog = page.getByRole('dialog', { name: '新增维护窗口' })
  await page.getByTestId('maintenance-create').click()
  await page.getByTestId('maintenance-name').fill('周日例行维护')
  await dialog.getByTestId('form-save').click()
  await expect(page.getByTestId('maintenance')).toContainText('每周日 02:00 起 120 分钟（Asia/Shanghai）')
  // A one-off window must end after it starts; the error names the field, nothing is stored.
  await page.getByTestId('maintenance-create').click()
  await page.getByTestId('maintenance-once').click()
  await dialog.getByTestId('form-save').click()
  await expect(dialog).toContainText('请选择起止时间')
  await dialog.getByRole('button', { name: '取消' }).click()
  await expect(page.getByTestId('maintenance').getByRole('row')).toHaveCount(2)
  await page.getByRole('tab', { name: '证书到期' }).click()
  await expect(page.getByTestId('certificates')).toContainText('暂无 TLS 证书监控')
})

test('the administrator connects Alertmanager and finds an alert for an unknown system kept', async ({ page, request, baseURL }) => {
  await login(page, ADMIN.username, ADMIN.password)
  await page.goto('/monitoring?tab=intake')
  await page.getByTestId('integration-create').click()
  await page.getByTestId('integration-name').fill('政务云 Prometheus（E2E）')
  await page.getByTestId('integration-kind-alertmanager').click()
  await page.getByTestId('form-save').click()
  // The token is shown once, inside the receiver to paste into Alertmanager.
  const token = (await page.getByTestId('integration-token').textContent())?.trim() ?? ''
  expect(token.length).toBeGreaterThan(20)
  await expect(page.getByTestId('integration-config')).toContainText(`credentials: ${token}`)
  await shot(page, 'monitoring-03-integration-token')
  await page.keyboard.press('Escape')
  await expect(page.getByTestId('integrations')).toContainText('政务云 Prometheus（E2E）')
  await expect(page.getByTestId('integrations')).toContainText('从未使用')

  const alert = {
    version: '4',
    status: 'firing',
    receiver: 'yunwei',
    alerts: [
      {
        status: 'firing',
        labels: { alertname: 'NodeDown', yunwei_system: '并不存在的系统', instance: '10.1.2.3:9100' },
        annotations: { summary: '节点失联' },
        startsAt: new Date().toISOString(),
        fingerprint: 'e2e-unknown-1',
      },
    ],
  }
  const res = await request.post(`${baseURL}/api/v1/intake/alertmanager`, { data: alert, headers: { Authorization: `Bearer ${token}` } })
  expect(res.status()).toBe(200)
  expect((await res.json()).unmatched).toBe(1)

  await page.getByRole('button', { name: '刷新' }).click()
  const row = page.getByTestId('unmatched').getByRole('row').filter({ hasText: '并不存在的系统' })
  await expect(row).toContainText('NodeDown')
  await expect(row).toContainText('告警')
  await expect(page.getByTestId('integrations')).not.toContainText('从未使用')
  await shot(page, 'monitoring-04-unmatched')
})
