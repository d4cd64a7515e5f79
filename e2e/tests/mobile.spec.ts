import { expect, test } from '@playwright/test'

import { expectNoHorizontalScroll, login, shot } from './helpers'
import { ADMIN, WORLD } from './world'

test.describe('on a phone (390×844)', () => {
  test.use({ viewport: { width: 390, height: 844 }, hasTouch: true })

  test('login and the system list fit the screen', async ({ page }) => {
    await page.goto('/login')
    await expectNoHorizontalScroll(page)
    await shot(page, 'mobile-01-login')
    await login(page, ADMIN.username, ADMIN.password)
    await expect(page.getByTestId('today-breached')).toBeVisible()
    await expectNoHorizontalScroll(page)
    await shot(page, 'mobile-02-today')
    await page.goto('/overview')
    await expect(page.getByTestId('tile-systems')).toBeVisible()
    await expectNoHorizontalScroll(page)
    await shot(page, 'mobile-02-dashboard')

    await page.getByTestId('menu-toggle').click()
    await page.getByTestId('menu-systems').click()
    // Cards, not a table; other journeys may have added systems to the same server.
    for (const name of WORLD.flatMap((u) => u.systems)) {
      await expect(page.getByTestId('resource-card').filter({ hasText: name })).toHaveCount(1)
    }
    await expect(page.getByTestId('resource-list').locator('.el-table')).toHaveCount(0)
    await expectNoHorizontalScroll(page)
    await shot(page, 'mobile-03-systems')

    // The other main pages fit as well.
    for (const name of ['assets', 'contracts', 'assessments', 'reports', 'units', 'vendors', 'users', 'audit', 'calendars', 'policies']) {
      await page.getByTestId('menu-toggle').click()
      await page.getByTestId(`menu-${name}`).click()
      await expect(page.getByTestId('resource-list')).toBeVisible()
      await expectNoHorizontalScroll(page)
    }
    await shot(page, 'mobile-04-policies')
    await page.getByTestId('menu-toggle').click()
    await page.getByTestId('menu-simulate').click()
    await page.getByTestId('sim-run').click()
    await expect(page.getByTestId('sim-due-resolve')).toBeVisible()
    await expectNoHorizontalScroll(page)
    await shot(page, 'mobile-05-simulator')
  })
})

test.describe('on a narrow phone (360×740)', () => {
  test.use({ viewport: { width: 360, height: 740 }, hasTouch: true })

  test('the system list still fits', async ({ page }) => {
    await login(page, ADMIN.username, ADMIN.password)
    await page.goto('/systems')
    await expect(page.getByTestId('resource-card').first()).toBeVisible()
    await expectNoHorizontalScroll(page)
    await shot(page, 'mobile-06-systems-360')
  })
})

test.describe('on a wide screen (1920×1080)', () => {
  test.use({ viewport: { width: 1920, height: 1080 } })

  test('the dashboard and a list use the width', async ({ page }) => {
    await login(page, ADMIN.username, ADMIN.password)
    await expect(page.getByTestId('today-breached')).toBeVisible()
    await expectNoHorizontalScroll(page)
    await shot(page, 'wide-00-today')
    await page.getByTestId('menu-dashboard').click()
    await expect(page.locator('canvas').first()).toBeVisible()
    await expectNoHorizontalScroll(page)
    await shot(page, 'wide-01-dashboard')
    await page.getByTestId('menu-contracts').click()
    await expect(page.getByTestId('resource-list')).toBeVisible()
    await expectNoHorizontalScroll(page)
  })
})
