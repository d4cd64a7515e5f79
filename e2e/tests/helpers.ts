import { type APIRequestContext, expect, type Page } from '@playwright/test'

import { ADMIN } from './world'

/** Screenshots for review land in e2e/artifacts/ (not committed). */
export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `artifacts/${name}.png`, fullPage: true })
}

export async function login(page: Page, username: string, password: string): Promise<void> {
  await page.goto('/login')
  await page.getByTestId('login-username').fill(username)
  await page.getByTestId('login-password').fill(password)
  await page.getByTestId('login-submit').click()
  await expect(page.getByTestId('current-user')).toBeVisible()
}

/** The page itself never scrolls sideways (tables may scroll inside their own box). */
export async function expectNoHorizontalScroll(page: Page): Promise<void> {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
  expect(overflow, 'horizontal overflow in px').toBeLessThanOrEqual(0)
}

/** Moves a ticket: the main button when it is the step offered first, else the entry under “更多”. */
export async function ticketStep(page: Page, to: string): Promise<void> {
  await expect(page.getByTestId('ticket-status')).toBeVisible()
  if ((await page.locator(`button[data-testid="to-${to}"]`).count()) === 0) {
    await page.getByTestId('more-actions').click()
  }
  await page.getByTestId(`to-${to}`).click()
}

/** A vendor's manager or engineer as a test names them. */
export interface Staff {
  username: string
  password: string
  name: string
}

/** Whether `who` exists already: the journeys' worlds are made once per run. */
async function canSignIn(request: APIRequestContext, who: Staff): Promise<boolean> {
  return (await request.post('/api/v1/auth/login', { data: { username: who.username, password: who.password } })).ok()
}

/** The API as the bureau's admin, to make a journey's world. */
async function asAdmin(request: APIRequestContext) {
  const res = await request.post('/api/v1/auth/login', { data: ADMIN })
  const headers = { authorization: `Bearer ${((await res.json()) as { token: string }).token}` }
  const post = async (path: string, data: unknown) => {
    const r = await request.post(`/api/v1${path}`, { headers, data })
    expect(r.ok(), `${path}: ${await r.text()}`).toBeTruthy()
    return (await r.json()) as { id: string }
  }
  /** The id of the first of `list` (`units`, `systems`) that a search for `name` finds. */
  const first = async (list: string, name: string) => {
    const page = (await (await request.get(`/api/v1/${list}?q=${encodeURIComponent(name)}`, { headers })).json()) as { items: { id: string }[] }
    return page.items[0]!.id
  }
  return { post, first }
}

/**
 * A vendor whose contract covers `system`, and its manager — made once per run through the API
 * (a later call finds the manager can sign in and does nothing).
 */
export async function vendorWithContract(
  request: APIRequestContext,
  pm: Staff,
  c: { system: string; vendor: string; contract: string; item: string; budgetFen: number },
): Promise<void> {
  if (await canSignIn(request, pm)) return
  const { post, first } = await asAdmin(request)
  const system = await first('systems', c.system)
  const vendor = await post('/vendors', { name: c.vendor })
  await post('/contracts', {
    name: c.contract,
    vendor_id: vendor.id,
    items: [{ name: c.item, budget_fen: c.budgetFen, start_date: '2020-01-01', end_date: '2035-12-31', system_ids: [system] }],
  })
  await post('/users', { username: pm.username, role: 'vendor_pm', vendor_id: vendor.id, password: pm.password, display_name: pm.name })
}

/**
 * A new system of `unit` for one journey alone (no other journey's counts see what it does), a
 * vendor whose contract covers it, and the vendor's engineer — made once per run through the API
 * (a later call finds the engineer can sign in and does nothing).
 */
export async function systemWithEngineer(
  request: APIRequestContext,
  engineer: Staff,
  c: { unit: string; system: string; vendor: string; contract: string; item: string; budgetFen: number },
): Promise<void> {
  if (await canSignIn(request, engineer)) return
  const { post, first } = await asAdmin(request)
  const system = await post('/systems', { name: c.system, unit_id: await first('units', c.unit) })
  const vendor = await post('/vendors', { name: c.vendor })
  await post('/contracts', {
    name: c.contract,
    vendor_id: vendor.id,
    items: [{ name: c.item, budget_fen: c.budgetFen, start_date: '2020-01-01', end_date: '2035-12-31', system_ids: [system.id] }],
  })
  await post('/users', {
    username: engineer.username,
    role: 'engineer',
    vendor_id: vendor.id,
    password: engineer.password,
    display_name: engineer.name,
  })
}
