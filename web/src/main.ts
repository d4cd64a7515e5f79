import 'element-plus/dist/index.css'
import './styles.css'

import ElementPlus from 'element-plus'
import { createApp } from 'vue'

import { onUnauthenticated } from '@/api/client'
import App from '@/App.vue'
import { currentLocale, i18n, setLocale } from '@/i18n'
import { router } from '@/router'
import { forget } from '@/session'

// A session that ends while the page is open (idle timeout, logout elsewhere) sends the user to
// the login page, back to where they were afterwards.
onUnauthenticated(() => {
  forget()
  const here = router.currentRoute.value
  if (here.name !== 'login') {
    void router.push({ name: 'login', query: { redirect: here.fullPath, expired: '1' } })
  }
})

setLocale(currentLocale())
createApp(App).use(i18n).use(router).use(ElementPlus).mount('#app')
