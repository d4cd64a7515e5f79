import { expect, type Page } from '@playwright/test'

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
