import { createI18n } from 'vue-i18n'

import { setApiLanguage } from '@/api/client'

import en from './en'
import zhCN from './zh-CN'

export type Locale = 'zh-CN' | 'en'
export const LOCALES: Locale[] = ['zh-CN', 'en']
const STORAGE_KEY = 'yunwei.locale'

function initial(): Locale {
  try {
    return localStorage.getItem(STORAGE_KEY) === 'en' ? 'en' : 'zh-CN'
  } catch {
    return 'zh-CN'
  }
}

export const i18n = createI18n({
  legacy: false,
  locale: initial(),
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': zhCN, en },
})

export function currentLocale(): Locale {
  return i18n.global.locale.value as Locale
}

/** Switches the UI, Element Plus and the API's error messages to `locale`, and remembers it. */
export function setLocale(locale: Locale): void {
  i18n.global.locale.value = locale
  setApiLanguage(locale)
  document.documentElement.lang = locale
  try {
    localStorage.setItem(STORAGE_KEY, locale)
  } catch {
    // private browsing: the choice lasts for this page only
  }
}

setApiLanguage(currentLocale())
