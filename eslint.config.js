// @ts-check
import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import pluginVue from 'eslint-plugin-vue'
import prettier from 'eslint-config-prettier'
import globals from 'globals'

// Import boundaries (see the architecture document):
// - src/domain and src/shared import nothing but each other and zod;
// - sync-server imports only src/domain and src/shared from the app side;
// - .vue files never reach Dexie or src/sync directly: they go through stores and composables.
const appLayers = [
  '**/db/**',
  '**/sync/**',
  '**/stores/**',
  '**/components/**',
  '**/views/**',
  '**/composables/**',
  '**/pdf/**',
  '**/pwa/**',
  '**/i18n/**',
  '**/sync-server/**',
]

// better-sqlite3 comes in two builds, one per range of Node versions: the driver module picks the one that runs.
const sqliteDriverOnly = {
  group: ['better-sqlite3', 'better-sqlite3-napi'],
  message: 'Open SQLite through sync-server/src/store/sqlite-driver.ts, which loads the build for this Node.',
}

export default tseslint.config(
  { ignores: ['dist/**', 'dist-bench/**', 'data/**', 'node_modules/**', 'coverage/**', 'dev-dist/**', 'public/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...pluginVue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser } },
  },
  {
    languageOptions: {
      globals: { ...globals.browser, ...globals.node, __APP_VERSION__: 'readonly' },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/ban-ts-comment': 'error',
      'vue/multi-word-component-names': ['error', { ignores: ['App'] }],
      // TypeScript already reports undefined names, with type information.
      'no-undef': 'off',
    },
  },
  {
    files: ['src/domain/**/*.ts', 'src/shared/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                'vue',
                'vue-*',
                'pinia',
                'dexie',
                'dexie-*',
                'workbox-*',
                'jspdf*',
                'fastify*',
                '@fastify/*',
                'better-sqlite3',
                'pg',
                'node:*',
                'fs',
                'path',
                'crypto',
              ],
              message: 'src/domain and src/shared are pure: they import only each other and zod.',
            },
            {
              group: appLayers,
              message: 'src/domain and src/shared must not depend on app or server layers.',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'Date', message: 'Pass `now` as a parameter: no hidden clock in src/domain.' },
        { name: 'fetch', message: 'No I/O in src/domain.' },
        { name: 'window', message: 'No DOM in src/domain.' },
        { name: 'document', message: 'No DOM in src/domain.' },
        { name: 'localStorage', message: 'No I/O in src/domain.' },
        { name: 'indexedDB', message: 'No I/O in src/domain.' },
      ],
      'no-restricted-properties': [
        'error',
        {
          object: 'Math',
          property: 'random',
          message: 'Pass ids and randomness as parameters in src/domain.',
        },
      ],
    },
  },
  {
    files: ['sync-server/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '**/src/db/**',
                '**/src/sync/**',
                '**/src/stores/**',
                '**/src/components/**',
                '**/src/views/**',
                '**/src/composables/**',
                '**/src/pdf/**',
                '**/src/pwa/**',
                '**/src/i18n/**',
                'vue',
                'pinia',
                'dexie',
              ],
              message: 'The sync server imports only src/domain and src/shared from the app side.',
            },
            sqliteDriverOnly,
          ],
        },
      ],
    },
  },
  {
    files: ['tests/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [sqliteDriverOnly] }] },
  },
  { files: ['sync-server/src/store/sqlite-driver.ts'], rules: { 'no-restricted-imports': 'off' } },
  {
    files: ['src/**/*.vue'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['dexie', '@/db/*', '@/db', '**/db/**', '@/sync/*', '@/sync', '**/sync/**'],
              message:
                'Views and components read and write through stores and composables, not Dexie or src/sync.',
            },
          ],
        },
      ],
    },
  },
  prettier,
)
