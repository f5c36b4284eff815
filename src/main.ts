import { createApp } from 'vue'
import { createPinia } from 'pinia'
import App from './App.vue'
import { i18n } from './i18n'
import { createAppRouter } from './router'
import { readStoredLocale } from './composables/useLocale'
import { registerServiceWorker } from './pwa/register'
import './styles/main.css'

const storedLocale = readStoredLocale()
if (storedLocale) i18n.global.locale.value = storedLocale

const app = createApp(App)
const pinia = createPinia()
app.use(pinia)
app.use(createAppRouter())
app.use(i18n)
app.mount('#app')

registerServiceWorker()
