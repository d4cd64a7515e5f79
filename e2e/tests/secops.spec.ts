import { readFileSync } from 'node:fs'

import { type APIRequestContext, expect, type Page, test } from '@playwright/test'

import { expectNoHorizontalScroll, login, shot } from './helpers'
import { ADMIN, UNIT_USER } from './world'

// 安全运营: an engineer imports a Nessus scan into the vulnerability ledger, fixes findings (one in
// bulk, one from its page), asks to accept the risk of a third; the bureau approves it; the ledger
// downloads as the workbook the bureau files.
const ENGINEER = { username: 'lu', password: 'Engineer#E2e2026', name: '陆工' }
const SYSTEM = '乙单位数据平台'
const HEARTBLEED = 'OpenSSL 心脏出血'
const OPENSSH = 'OpenSSH 用户枚举'
const APACHE = 'Apache 目录遍历'

test.describe.configure({ mode: 'serial' })

/**
 * A vendor whose contract covers the system with a vulnerability policy (every severity fixed
 * within 12 hours, template 002-vuln-12h), and its engineer — once per run.
 */
async function securityWorld(request: APIRequestContext): Promise<void> {
  if ((await request.post('/api/v1/auth/login', { data: { username: ENGINEER.username, password: ENGINEER.password } })).ok()) return
  const res = await request.post('/api/v1/auth/login', { data: ADMIN })
  const headers = { authorization: `Bearer ${((await res.json()) as { token: string }).token}` }
  const post = async (path: string, data: unknown) => {
    const r = await request.post(`/api/v1${path}`, { headers, data })
    expect(r.ok(), `${path}: ${await r.text()}`).toBeTruthy()
    return (await r.json()) as { id: string }
  }
  const templates = (await (await request.get('/api/v1/sla/templates', { headers })).json()) as {
    items: { id: string; policy: unknown }[]
  }
  const policy = await post('/sla/policies', templates.items.find((t) => t.id === '002-vuln-12h')!.policy)
  const systems = (await (await request.get(`/api/v1/systems?q=${encodeURIComponent(SYSTEM)}`, { headers })).json()) as {
    items: { id: string }[]
  }
  const vendor = await post('/vendors', { name: '数据平台安全运维公司（E2E）' })
  await post('/contracts', {
    name: '乙单位数据平台运维（E2E）',
    vendor_id: vendor.id,
    items: [
      {
        name: '安全运维',
        budget_fen: 600_000,
        start_date: '2020-01-01',
        end_date: '2035-12-31',
        system_ids: [systems.items[0]!.id],
        vulnerability_policy_id: policy.id,
      },
    ],
  })
  await post('/users', { username: ENGINEER.username, role: 'engineer', vendor_id: vendor.id, password: ENGINEER.password, display_name: ENGINEER.name })
}

/** A Nessus v2 report: three hosts, four findings, one item reported twice, one informational. */
function nessus(): Buffer {
  const item = (port: number, severity: number, plugin: string, name: string, cve = '') =>
    `<ReportItem port="${port}" svc_name="www" protocol="tcp" severity="${severity}" pluginID="${plugin}" pluginName="${name}">` +
    `<description>${name}：扫描器的说明</description><solution>升级到厂商最新版本</solution>${cve ? `<cve>${cve}</cve>` : ''}</ReportItem>`
  const host = (ip: string, items: string[]) =>
    `<ReportHost name="${ip}"><HostProperties><tag name="host-ip">${ip}</tag></HostProperties>\n${items.join('\n')}\n</ReportHost>\n`
  return Buffer.from(
    '<?xml version="1.0" ?>\n<NessusClientData_v2><Report name="二季度漏洞扫描">' +
      '\n' +
      host('10.8.0.1', [
        item(443, 4, '1001', HEARTBLEED, 'CVE-2014-0160'),
        item(443, 4, '1001', HEARTBLEED, 'CVE-2014-0160'),
        item(0, 0, '19506', 'Nessus 扫描信息'),
      ]) +
      host('10.8.0.2', [item(22, 3, '1002', OPENSSH, 'CVE-2018-15473'), item(80, 2, '1003', APACHE)]) +
      host('10.8.0.3', [item(3306, 1, '1004', 'MySQL 密码策略过弱')]) +
      '</Report></NessusClientData_v2>\n',
  )
}

function ledgerRow(page: Page, title: string) {
  return page.getByTestId('ledger').locator('.el-table__body tr', { hasText: title })
}

/** A day about half a year ahead (`YYYY-MM-DD`, Beijing): when an accepted risk is looked at again. */
function halfYearAhead(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date(Date.now() + 180 * 86_400_000))
}

test('an engineer imports a scan, fixes findings and asks to accept a risk; the bureau approves; the ledger downloads', async ({
  page,
  request,
}) => {
  test.setTimeout(150_000)
  await securityWorld(request)

  // The engineer imports the scan into the one system, and previews it first.
  await login(page, ENGINEER.username, ENGINEER.password)
  await page.getByTestId('menu-secops').click()
  await expect(page.locator('h1')).toHaveText('安全运营')
  await page.getByRole('tab', { name: '扫描导入' }).click()
  const form = page.getByTestId('import-form')
  await form.locator('input[type=file]').setInputFiles({ name: '二季度扫描.nessus', mimeType: 'application/xml', buffer: nessus() })
  await expect(page.getByTestId('import-mapping')).toHaveCount(0) // scanner XML needs no column mapping
  await expect(page.getByTestId('target-system')).toContainText('全部归入系统')
  await page.getByTestId('import-system').click()
  await page.getByRole('option', { name: SYSTEM }).click()
  await expect(page.getByTestId('import-commit')).toBeDisabled()
  await page.getByTestId('import-preview').click()
  const outcome = page.getByTestId('import-outcome')
  await expect(outcome.getByTestId('count-create')).toContainText('4')
  await expect(outcome.getByTestId('count-duplicates')).toContainText('1')
  await expect(outcome.getByTestId('count-informational')).toContainText('1')
  await expect(outcome.getByTestId('count-errors')).toContainText('0')
  await expect(outcome.getByTestId('count-update')).toContainText('0')
  await expect(outcome.getByTestId('import-sample')).toContainText(HEARTBLEED)
  await expect(outcome.getByTestId('import-sample')).toContainText('10.8.0.1:443')
  await shot(page, 'secops-01-preview')

  await page.getByTestId('import-commit').click()
  const result = page.getByTestId('import-result')
  await expect(result).toContainText('导入完成，共写入 4 个漏洞')
  await expect(page.getByTestId('import-history').locator('.el-table__body tr', { hasText: '二季度扫描.nessus' })).toContainText('新增 4')
  await shot(page, 'secops-02-imported')

  // The ledger of this import: four findings with their 12-hour deadlines.
  await result.getByTestId('import-open-ledger').click()
  await expect(page.getByRole('tab', { name: '漏洞台账' })).toHaveAttribute('aria-selected', 'true')
  await expect(page.getByTestId('filter-tag-import_id')).toBeVisible()
  await expect(page.getByTestId('ledger').locator('.el-table__body tr')).toHaveCount(4)
  await expect(ledgerRow(page, HEARTBLEED).getByTestId('severity')).toHaveText('危急')
  await expect(ledgerRow(page, HEARTBLEED)).toContainText('CVE-2014-0160')
  await expect(ledgerRow(page, OPENSSH).getByTestId('severity')).toHaveText('高危')
  await expect(ledgerRow(page, OPENSSH).getByTestId('fix-badge-running')).toContainText('剩')

  // One fixed in bulk: ticked, then 已修复.
  await ledgerRow(page, OPENSSH).locator('.el-checkbox').click()
  await expect(page.getByTestId('bulk-bar')).toContainText('已选 1 项')
  await expect(page.getByTestId('bulk-verified')).toHaveCount(0) // verifying is the bureau's
  await shot(page, 'secops-03-selected')
  await page.getByTestId('bulk-fixed').click()
  await expect(page.getByTestId('move-count')).toHaveCount(0)
  await page.getByTestId('move-reason').fill('已升级 OpenSSH 至 9.6')
  await page.getByTestId('move-confirm').click()
  await expect(page.locator('.el-message', { hasText: '已处理 1 个漏洞' })).toBeVisible()
  await expect(ledgerRow(page, OPENSSH).getByTestId('vuln-status')).toHaveText('已修复')
  await expect(ledgerRow(page, OPENSSH).getByTestId('fix-badge-met')).toBeVisible()

  // Another from its own page: the fix clock, then 已修复.
  await ledgerRow(page, APACHE).click()
  await expect(page.getByTestId('vuln-title')).toHaveText(APACHE)
  await expect(page.getByTestId('vuln-location')).toHaveText('10.8.0.2:80')
  await expect(page.getByTestId('clock-state-fix')).toHaveText('计时中')
  await page.getByTestId('to-fixed').click()
  await expect(page.getByTestId('vuln-status')).toHaveText('已修复')
  await expect(page.getByTestId('clock-state-fix')).toHaveText('已达标')
  await expect(page.getByTestId('vuln-history')).toContainText('待处理 → 已修复')
  await shot(page, 'secops-04-detail-fixed')

  // The third: the engineer asks the bureau to accept its risk until a review date.
  await page.getByRole('button', { name: '← 漏洞台账' }).click()
  await page.getByTestId('filter-q').fill('心脏出血')
  await page.getByTestId('filter-search').click()
  await ledgerRow(page, HEARTBLEED).click()
  await expect(page.getByTestId('vuln-title')).toHaveText(HEARTBLEED)
  const findingUrl = page.url()
  await expect(page.getByTestId('to-verified')).toHaveCount(0)
  await page.getByTestId('to-risk_accepted').click()
  const dialog = page.getByTestId('move-dialog')
  await expect(dialog).toContainText('将提交数据局审批，批准后生效')
  await page.getByTestId('move-confirm').click()
  await expect(dialog).toContainText('请填写原因')
  await page.getByTestId('move-reason').fill('该平台下季度整体迁移下线，迁移前以 WAF 规则临时防护')
  const until = halfYearAhead()
  await page.getByTestId('move-until').locator('input').fill(until)
  await page.getByTestId('move-until').locator('input').press('Enter')
  await page.getByTestId('move-confirm').click()
  await expect(page.getByTestId('vuln-filed')).toContainText('已提交审批，等待数据局审批')
  await expect(page.getByTestId('vuln-status')).toHaveText('待处理')
  await expect(page.getByTestId('to-risk_accepted')).toBeDisabled()
  await expect(page.getByTestId('vuln-approvals')).toContainText('待审批')
  await shot(page, 'secops-05-request-filed')

  // The bureau approves it in its inbox.
  await login(page, ADMIN.username, ADMIN.password)
  await page.getByTestId('menu-approvals').click()
  const row = page.getByTestId('approvals').locator('.el-table__body tr', { hasText: HEARTBLEED })
  await expect(row).toContainText('漏洞误报/风险接受')
  await expect(row).toContainText(ENGINEER.name)
  await row.click()
  const drawer = page.getByTestId('approval-drawer')
  await expect(drawer.getByTestId('approval-reason')).toHaveText('该平台下季度整体迁移下线，迁移前以 WAF 规则临时防护')
  await expect(drawer.getByTestId('approval-changes')).toContainText('风险接受')
  await expect(drawer.getByTestId('approval-changes')).toContainText(until)
  await expect(drawer.getByTestId('approval-changes')).toContainText(`危急 ${HEARTBLEED}（10.8.0.1:443）`)
  await page.waitForTimeout(500) // the drawer slides in
  await shot(page, 'secops-06-approval')
  await drawer.getByTestId('approval-approve').click()
  await page.getByTestId('decision-confirm').click()
  await expect(drawer.getByTestId('approval-status')).toHaveText('已批准')
  await page.keyboard.press('Escape')

  // The finding shows the accepted risk, until when, and who approved it.
  await page.goto(findingUrl)
  await expect(page.getByTestId('vuln-status')).toHaveText('风险接受')
  await expect(page.getByTestId('vuln-accepted-until')).toHaveText(until)
  await expect(page.getByTestId('vuln-history')).toContainText('经 系统管理员 批准')
  await expect(page.getByTestId('to-open')).toBeVisible() // the bureau may reopen it
  await shot(page, 'secops-07-risk-accepted')

  // The ledger downloads as the workbook the bureau files.
  await page.getByTestId('menu-secops').click()
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('ledger-export').click()])
  expect(download.suggestedFilename()).toMatch(/^漏洞修复台账.*\.xlsx$/)
  const file = 'artifacts/secops-ledger.xlsx'
  await download.saveAs(file)
  expect(readFileSync(file).subarray(0, 2).toString('latin1')).toBe('PK')
  await shot(page, 'secops-08-ledger')
})

test('an engineer maps a spreadsheet export’s columns by host, fixes what the preview finds, and saves the mapping', async ({ page }) => {
  test.setTimeout(90_000)
  // A penetration tester's table: no column named as scanners name them, one severity word of its own.
  const csv = [
    '序号,主机,服务端口,检测项,威胁程度,CVE编号,整改建议',
    '1,10.8.1.5,8080,Tomcat 管理后台弱口令,较高,,修改默认口令',
    '2,10.8.1.6,6379,Redis 未授权访问,紧急,,配置访问口令并限制监听地址',
    '3,10.9.9.9,21,FTP 匿名登录,中,,关闭匿名登录',
  ].join('\r\n')
  await login(page, ENGINEER.username, ENGINEER.password)
  await page.goto('/secops?tab=imports')
  await page.getByTestId('import-form').locator('input[type=file]').setInputFiles({ name: '渗透测试结果.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) })
  const mapping = page.getByTestId('import-mapping')
  await expect(mapping).toBeVisible()
  // The server's guess: host, port, CVE and solution found; the finding and its severity left to map.
  await expect(page.getByTestId('mapping-host')).toContainText('主机')
  await expect(page.getByTestId('mapping-port')).toContainText('服务端口')
  await expect(page.getByTestId('import-preview')).toBeDisabled()
  await page.getByTestId('mapping-title').click()
  await page.getByRole('option', { name: '检测项' }).last().click()
  await page.getByTestId('mapping-severity').click()
  await page.getByRole('option', { name: '威胁程度' }).last().click()
  await page.getByTestId('target-hosts').click()
  await expect(page.getByTestId('import-form')).toContainText('未列出的主机按各系统登记的地址自动匹配')
  await page.getByTestId('host-0').fill('10.8.1.0/24')
  await page.getByTestId('host-system-0').click()
  await page.getByRole('option', { name: SYSTEM }).last().click()

  // The preview names what is wrong, by row: a severity word it does not know …
  await page.getByTestId('import-preview').click()
  await expect(page.getByTestId('count-errors')).toContainText('1')
  await expect(page.getByTestId('import-problems')).toContainText('较高')
  await expect(page.getByTestId('import-commit')).toBeDisabled()
  await page.getByTestId('word-add').click()
  await page.getByTestId('word-0').fill('较高')
  // … then a host no system claims.
  await page.getByTestId('import-preview').click()
  await expect(page.getByTestId('import-problems')).toContainText('10.9.9.9')
  await expect(page.getByTestId('import-problems')).toContainText('4')
  await shot(page, 'secops-12-table-problems')
  await page.getByTestId('host-add').click()
  await page.getByTestId('host-1').fill('10.9.9.9')
  await page.getByTestId('host-system-1').click()
  await page.getByRole('option', { name: SYSTEM }).last().click()

  // Saved under a name for the next export of the same kind, then previewed with it and imported.
  await page.getByTestId('mapping-name').fill('渗透测试表格（E2E）')
  await page.getByTestId('mapping-store').click()
  await expect(page.locator('.el-message', { hasText: '已保存' })).toBeVisible()
  await expect(page.getByTestId('mapping-pick')).toContainText('渗透测试表格（E2E）')
  await page.getByTestId('import-preview').click()
  await expect(page.getByTestId('count-errors')).toContainText('0')
  await expect(page.getByTestId('count-create')).toContainText('3')
  await expect(page.getByTestId('import-sample')).toContainText('Tomcat 管理后台弱口令')
  await expectNoHorizontalScroll(page)
  await shot(page, 'secops-13-table-preview')
  await page.getByTestId('import-commit').click()
  await expect(page.getByTestId('import-result')).toContainText('共写入 3 个漏洞')
  await page.getByTestId('import-open-ledger').click()
  await expect(ledgerRow(page, 'Tomcat 管理后台弱口令').getByTestId('severity')).toHaveText('高危')
  await expect(ledgerRow(page, 'Redis 未授权访问').getByTestId('severity')).toHaveText('危急')

  // A finding of the engineer's own, recorded by hand, and a ticket opened for its fix.
  await page.getByTestId('vuln-create').click()
  await page.getByTestId('vuln-system').click()
  await page.getByRole('option', { name: SYSTEM }).last().click()
  await page.getByTestId('vuln-form-title').fill('后台管理页面未启用验证码')
  await page.getByTestId('vuln-host').fill('10.8.1.5')
  await page.getByTestId('form-save').click()
  await expect(page.getByRole('heading', { name: '后台管理页面未启用验证码' })).toBeVisible()
  await expect(page.getByTestId('vuln-status')).toHaveText('待处理')
  await expect(page.getByTestId('severity')).toHaveText('高危')
  await page.getByTestId('vuln-ticket-new').click()
  await expect(page.locator('.el-message', { hasText: '已新建工单' })).toBeVisible()
  await expect(page.getByTestId('vuln-history')).toContainText('关联工单')
  await page.getByTestId('vuln-ticket-link').click()
  await expect(page.getByTestId('ticket-title')).toContainText('漏洞修复：后台管理页面未启用验证码')
})

test('a unit’s clerk reads the ledger of their systems, with nothing to change', async ({ page }) => {
  await login(page, UNIT_USER.username, UNIT_USER.password)
  await page.getByTestId('menu-secops').click()
  await expect(page.getByTestId('ledger')).toBeVisible()
  await expect(page.getByTestId('vuln-create')).toHaveCount(0)
  await expect(page.getByTestId('ledger').locator('.el-checkbox')).toHaveCount(0)
  await page.getByRole('tab', { name: '扫描导入' }).click()
  await expect(page.getByTestId('import-form')).toHaveCount(0)
})

test.describe('on a phone (390×844)', () => {
  test.use({ viewport: { width: 390, height: 844 }, hasTouch: true })

  test('the ledger is cards and fits the screen', async ({ page }) => {
    await login(page, ENGINEER.username, ENGINEER.password)
    await page.goto('/secops?status=all')
    const card = page.getByTestId('resource-card').filter({ hasText: HEARTBLEED })
    await expect(card).toContainText('风险接受')
    await expect(page.getByTestId('ledger').locator('.el-table')).toHaveCount(0)
    await expectNoHorizontalScroll(page)
    await shot(page, 'secops-09-phone-ledger')
    await card.click()
    await expect(page.getByTestId('vuln-title')).toHaveText(HEARTBLEED)
    await expectNoHorizontalScroll(page)
    await shot(page, 'secops-10-phone-detail')
    await page.goto('/secops?tab=imports')
    await expect(page.getByTestId('import-form')).toBeVisible()
    await expectNoHorizontalScroll(page)
    await shot(page, 'secops-11-phone-import')
  })
})
