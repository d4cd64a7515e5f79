import { defineConfigWithVueTs, vueTsConfigs } from '@vue/eslint-config-typescript'
import pluginVue from 'eslint-plugin-vue'

export default defineConfigWithVueTs(
  { ignores: ['dist/**', 'node_modules/**', 'src/api/schema.d.ts', '.api-check.d.ts'] },
  pluginVue.configs['flat/essential'],
  vueTsConfigs.recommended,
  {
    rules: {
      // Text from the API or from users is never rendered as HTML (XSS, seed 003).
      'vue/no-v-html': 'error',
      'vue/multi-word-component-names': 'off',
    },
  },
)
