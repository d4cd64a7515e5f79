import { flushPromises, mount } from '@vue/test-utils'
import ElementPlus from 'element-plus'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createMemoryHistory, createRouter } from 'vue-router'

import type { Schemas } from '@/api/client'
import { i18n } from '@/i18n'
import LoginView from '@/views/LoginView.vue'
import SsoProviderForm from '@/views/security/SsoProviderForm.vue'
import { blankRule, precheckOf, toInput, toModel } from '@/views/security/sso'

import { fetchMock, json, sent } from './setup'

const global = { plugins: [ElementPlus, i18n], stubs: { transition: false, 'transition-group': false } }

const stored: Schemas['SsoProvider'] = {
  id: 'p1',
  kind: 'ldap',
  name: '市局目录',
  config: {
    url: 'ldaps://ldap.example.gov.cn',
    starttls: false,
    bind_dn: 'cn=yunwei,dc=example',
    base_dn: 'ou=people,dc=example',
    user_filter: '(uid={username})',
    username_attribute: 'uid',
    display_name_attribute: 'cn',
    email_attribute: 'mail',
    link_by_username: true,
  } as unknown as Record<string, never>,
  secrets_set: ['bind_password'],
  mapping: [{ attribute: 'groups', value: '运维组', role: 'engineer', vendor_id: 'v1', unit_id: null }],
  enabled: true,
  created_at: '',
  updated_at: '',
}

beforeEach(() => {
  fetchMock.mockReset()
  document.body.innerHTML = ''
})

describe('sso provider model', () => {
  it('starts a new provider with the server defaults of its kind', () => {
    const m = toModel(null, 'oidc')
    expect(m.values).toMatchObject({ scopes: 'openid profile email', username_claim: 'preferred_username', issuer: '' })
    expect(toModel(null, 'cas').values.version).toBe('3')
    expect(toModel(null, 'ldap').values.user_filter).toBe('(uid={username})')
  })

  it('sends only the kind’s settings, keeps a stored secret by leaving it out, and binds rules as the role needs', () => {
    const m = toModel(stored)
    expect(m.values.bind_password).toBe('')
    expect(m.flags).toMatchObject({ starttls: false, link_by_username: true })
    m.values.issuer = 'https://left.over' // from another kind: never sent
    m.mapping.push({ ...blankRule(), attribute: ' ou ', value: '办公室', role: 'unit_user', unit_id: 'u1', vendor_id: 'v9' })
    const input = toInput(m)
    expect(input.config).toEqual({
      url: 'ldaps://ldap.example.gov.cn',
      starttls: false,
      bind_dn: 'cn=yunwei,dc=example',
      base_dn: 'ou=people,dc=example',
      user_filter: '(uid={username})',
      username_attribute: 'uid',
      display_name_attribute: 'cn',
      email_attribute: 'mail',
      link_by_username: true,
    })
    expect(input.mapping).toEqual([
      { attribute: 'groups', value: '运维组', role: 'engineer', unit_id: null, vendor_id: 'v1' },
      { attribute: 'ou', value: '办公室', role: 'unit_user', unit_id: 'u1', vendor_id: null },
    ])
  })

  it('checks required fields and addresses before sending, a stored secret counting as given', () => {
    const m = toModel(null, 'oidc')
    m.values.issuer = 'ftp://x'
    const checks = precheckOf(m, [])
    expect(checks.name).toBeTruthy()
    expect(checks['config.issuer']).toBeTruthy()
    expect(checks['config.client_id']).toBeTruthy()
    expect(checks['config.client_secret']).toBeUndefined()
    const ldap = toModel(stored)
    ldap.values.url = 'http://ldap'
    expect(precheckOf(ldap, ['bind_password'])['config.url']).toBeTruthy()
    ldap.values.url = 'ldap://ldap.example.gov.cn:389'
    expect(Object.values(precheckOf(ldap, ['bind_password'])).filter(Boolean)).toEqual([])
  })
})

describe('SsoProviderForm', () => {
  it('shows the API’s errors at the settings and the rules they name', async () => {
    fetchMock.mockResolvedValueOnce(
      json(422, {
        code: 'validation',
        message: '输入有误',
        request_id: 'r',
        field_errors: [
          { field: 'config.base_dn', message: '找不到该搜索起点' },
          { field: 'mapping.0.vendor_id', message: '供应商人员须指定供应商' },
        ],
      }),
    )
    const w = mount(SsoProviderForm, {
      props: { modelValue: false, record: stored, units: [], vendors: [] },
      global,
      attachTo: document.body,
    })
    await w.setProps({ modelValue: true })
    await flushPromises()
    expect(document.body.querySelector<HTMLInputElement>('[data-testid="sso-bind_password"]')?.placeholder).toBe('已设置，留空则不变')
    document.body.querySelector<HTMLButtonElement>('[data-testid="form-save"]')!.click()
    await flushPromises()
    expect(await sent()).toMatchObject({ method: 'PUT', path: '/api/v1/sso-providers/p1', body: { kind: 'ldap', name: '市局目录' } })
    const shown = () => [...document.body.querySelectorAll('.el-form-item__error')].map((e) => e.textContent?.trim())
    await vi.waitFor(() => expect(shown()).toEqual(['找不到该搜索起点', '供应商人员须指定供应商']), { timeout: 3000 })
    expect(w.emitted('saved')).toBeUndefined()
  })
})

describe('LoginView', () => {
  it('offers the providers, signs in through the chosen directory, and keeps the local form for break-glass', async () => {
    fetchMock.mockImplementation((input: RequestInfo | URL, init?: RequestInit) => {
      const req = input instanceof Request ? input : new Request(String(input), init)
      const path = new URL(req.url, 'http://x').pathname
      if (path === '/api/v1/auth/sso') {
        return Promise.resolve(
          json(200, {
            local_login: false,
            providers: [
              { id: 'c1', kind: 'cas', name: '统一身份认证' },
              { id: 'l1', kind: 'ldap', name: '市局目录' },
            ],
          }),
        )
      }
      return Promise.resolve(json(401, { code: 'unauthenticated', message: '用户名或密码错误', request_id: 'r' }))
    })
    const router = createRouter({
      history: createMemoryHistory(),
      routes: [
        { path: '/login', component: LoginView },
        { path: '/', component: { template: '<div />' } },
      ],
    })
    await router.push('/login?sso_error=' + encodeURIComponent('没有匹配的映射规则'))
    const w = mount(LoginView, { global: { ...global, plugins: [...global.plugins, router] }, attachTo: document.body })
    await flushPromises()
    const q = (id: string) => w.find(`[data-testid="${id}"]`)
    expect(q('sso-error').text()).toContain('没有匹配的映射规则')
    expect(q('sso-provider-c1').text()).toBe('通过 统一身份认证 登录')
    expect(q('sso-provider-l1').exists()).toBe(false)
    expect(q('login-method').exists()).toBe(true)
    expect(q('login-break-glass').exists()).toBe(true)

    await q('login-username').setValue('zhangsan')
    await q('login-password').setValue('Directory#1')
    await q('login-submit').trigger('submit')
    await vi.waitFor(() => expect(fetchMock.mock.calls.length).toBe(2))
    expect(await sent(1)).toMatchObject({
      method: 'POST',
      path: '/api/v1/auth/sso/l1/login',
      body: { username: 'zhangsan', password: 'Directory#1' },
    })
    await vi.waitFor(() => expect(q('login-error').text()).toContain('用户名或密码错误'))

    // The break-glass administrator signs in with a local password.
    await q('login-break-glass').trigger('click')
    expect(q('login-break-glass').exists()).toBe(false)
    await q('login-password').setValue('Bureau#1')
    await q('login-submit').trigger('submit')
    await vi.waitFor(() => expect(fetchMock.mock.calls.length).toBe(3))
    expect(await sent(2)).toMatchObject({ method: 'POST', path: '/api/v1/auth/login', body: { username: 'zhangsan' } })
    w.unmount()
  })
})
