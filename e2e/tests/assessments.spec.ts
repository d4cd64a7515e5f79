import { type APIRequestContext, expect, test } from '@playwright/test'

import { login, shot, vendorWithContract } from './helpers'
import { ADMIN, UNIT_USER } from './world'

// The verdict the bureau pays by: it drafts the quarter's assessment under 004's 百分扣分制,
// the vendor's manager appeals a deduction, the bureau accepts, the assessment is final and the
// filled 考核表 downloads.
const PM = { username: 'kao', password: 'Manager#E2e2026', name: '考经理' }
const CONTRACT = '甲单位门户网站运维（E2E考核）'
const SYSTEM = '甲单位门户网站'

test.describe.configure({ mode: 'serial' })

async function vendorWorld(request: APIRequestContext): Promise<void> {
  await vendorWithContract(request, PM, { system: SYSTEM, vendor: '门户网站运维公司（E2E）', contract: CONTRACT, item: '网站运维', budgetFen: 50_000_000 })
}

test('the bureau drafts, the vendor appeals, the bureau rules, the assessment is final and downloads', async ({ page, request }) => {
  await vendorWorld(request)

  // The bureau drafts last quarter's assessment and records a staffing shortfall.
  await login(page, ADMIN.username, ADMIN.password)
  await page.getByTestId('menu-assessments').click()
  await page.getByTestId('assessment-create').click()
  await page.getByTestId('assessment-contract').click()
  await page.getByRole('option', { name: CONTRACT }).click()
  await page.getByTestId('assessment-template').click()
  await page.getByRole('option', { name: '运维考评百分扣分表（004）' }).click()
  await page.getByTestId('form-save').click()
  await expect(page.getByTestId('assessment-state')).toHaveText('草稿')
  await expect(page.getByTestId('assessment-score')).toHaveText('100')
  await page.getByTestId('deductions-staffing').click()
  await page.getByTestId('deduction-reason').fill('9 月驻场人数少于承诺 2 人次')
  await page.getByTestId('deduction-add').click()
  await expect(page.getByTestId('deductions')).toContainText('9 月驻场人数少于承诺')
  await page.keyboard.press('Escape')
  await expect(page.getByTestId('points-staffing')).toHaveText('19')
  await expect(page.getByTestId('assessment-score')).toHaveText('99')
  await shot(page, 'assessments-01-draft')
  await page.getByTestId('assessment-publish').click()
  await expect(page.getByTestId('assessment-state')).toHaveText('已发布')
  const url = page.url()

  // The vendor's manager appeals the deduction and declares no further appeal.
  await page.context().clearCookies()
  await login(page, PM.username, PM.password)
  await page.getByTestId('menu-assessments').click()
  await page.getByTestId('resource-list').getByText(CONTRACT).first().click()
  await expect(page).toHaveURL(url)
  await page.getByTestId('appeal-staffing').click()
  await page.getByTestId('points-input').locator('input').fill('20')
  await page.getByTestId('reason-input').fill('两名人员经采购人同意调休，附审批单')
  // The approved leave form goes with the appeal as evidence.
  await page.getByTestId('appeal-files').setInputFiles({ name: '调休审批单.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n调休审批单\n') })
  await page.getByTestId('form-save').click()
  await expect(page.getByTestId('assessment-state')).toHaveText('申诉中')
  await expect(page.getByTestId('assessment-appeals')).toContainText('两名人员经采购人同意调休')
  await expect(page.getByTestId('assessment-appeals').getByTestId('approval-file')).toHaveText('调休审批单.pdf')
  await page.getByTestId('assessment-acknowledge').click()
  await page.locator('.el-message-box').getByRole('button', { name: /确定|OK/ }).click()
  await expect(page.getByTestId('assessment-acknowledge')).toBeHidden()
  await shot(page, 'assessments-02-appealed')

  // The bureau accepts the appeal and makes the assessment final; the 考核表 downloads.
  await page.context().clearCookies()
  await login(page, ADMIN.username, ADMIN.password)
  await page.goto(url)
  await expect(page.getByTestId('assessment-appeals').getByTestId('approval-file')).toHaveText('调休审批单.pdf')
  await page.getByTestId('appeal-accept').click()
  const box = page.locator('.el-message-box')
  await box.locator('input').fill('调休有审批记录，采纳')
  await box.getByRole('button', { name: /确定|OK/ }).click()
  await expect(page.getByTestId('points-staffing')).toHaveText('20')
  await expect(page.getByTestId('assessment-score')).toHaveText('100')
  await page.getByTestId('assessment-finalize').click()
  await expect(page.getByTestId('assessment-state')).toHaveText('已定稿')
  await expect(page.getByTestId('assessment-payment')).toContainText('扣减 ¥0.00')
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('assessment-export-xlsx').click()])
  expect(download.suggestedFilename()).toMatch(/^考核表-.*\.xlsx$/)
  await shot(page, 'assessments-03-final')

  // The contract shows what the assessment left to pay.
  await page.getByTestId('menu-contracts').click()
  await page.getByTestId('resource-list').getByText(CONTRACT).click()
  await expect(page.getByTestId('payment-totals')).toContainText('合同总价 ¥500,000.00')
  await expect(page.getByTestId('payment-totals')).toContainText('未付 ¥500,000.00')
})

// Where the template gives a criterion to the units, each unit scores it for its own systems
// in the draft; the bureau sees the combined points.
test('a unit scores its own systems in the draft', async ({ page, request }) => {
  await vendorWorld(request)
  const res = await request.post('/api/v1/auth/login', { data: ADMIN })
  const headers = { authorization: `Bearer ${((await res.json()) as { token: string }).token}` }
  const json = async (r: Awaited<ReturnType<APIRequestContext['get']>>) => {
    expect(r.ok(), await r.text()).toBeTruthy()
    return (await r.json()) as Record<string, unknown>
  }
  type Tpl = { id: string; key: string; sections: { criteria: { key: string; rule: unknown; scored_by?: string }[] }[] }
  const templates = (await json(await request.get('/api/v1/assessment-templates', { headers }))).items as Tpl[]
  let copy = templates.find((x) => x.key === 'e2e-units')
  if (!copy) {
    const builtin = templates.find((x) => x.key === '004-deduction')!
    copy = (await json(await request.post(`/api/v1/assessment-templates/${builtin.id}/copy`, { headers, data: { key: 'e2e-units', name: '单位评分考核表（E2E）' } }))) as Tpl
    const staffing = copy.sections[0]!.criteria[0]!
    Object.assign(staffing, { rule: { kind: 'manual' }, scored_by: 'units' })
    await json(await request.put(`/api/v1/assessment-templates/${copy.id}`, { headers, data: copy }))
  }
  const contracts = (await json(await request.get(`/api/v1/contracts?q=${encodeURIComponent(CONTRACT)}`, { headers }))).items as { id: string }[]
  const body = { contract_id: contracts[0]!.id, template_id: copy.id, from: '2026-07-01', to: '2026-09-30' }
  const created = await request.post('/api/v1/assessments', { headers, data: body })
  expect([201, 409]).toContain(created.status())

  await login(page, UNIT_USER.username, UNIT_USER.password)
  await page.getByTestId('menu-assessments').click()
  await page.getByRole('tab', { name: '单位评分' }).click()
  const part = page.getByTestId('unit-scoring-part').filter({ hasText: CONTRACT })
  await expect(part).toContainText(UNIT_USER.unit)
  await part.getByTestId('unit-points').locator('input').fill('18')
  await part.getByTestId('unit-reason').fill('9 月驻场人员两次迟到')
  await part.getByTestId('unit-save').click()
  await expect(part.getByTestId('unit-scored-by')).toBeVisible()
  await shot(page, 'assessments-04-unit-scoring')

  await page.context().clearCookies()
  await login(page, ADMIN.username, ADMIN.password)
  await page.getByTestId('menu-assessments').click()
  await page.getByTestId('resource-list').getByText('单位评分考核表（E2E）').first().click()
  await expect(page.getByTestId('points-staffing')).toHaveText('18')
  await expect(page.getByTestId('unit-scores')).toContainText('9 月驻场人员两次迟到')
})
