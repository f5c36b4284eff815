import type { AppMessages } from '../fr/app'

export const appMessagesEn = {
  name: 'Carnet',
  documentTitle: 'Carnet — {page}',
  skipToContent: 'Skip to content',
  header: {
    homeLink: 'Carnet, home',
    toolsLabel: 'Status and settings',
  },
  network: {
    online: 'Online',
    offline: 'Offline',
  },
  language: {
    label: 'Language',
  },
  update: {
    available: 'New version available',
    hint: 'Reload once the entry you are working on is saved.',
    reload: 'Reload',
    later: 'Later',
    applying: 'Updating…',
    offlineReady: 'Carnet is ready to work offline on this device.',
    close: 'Close',
  },
  home: {
    title: 'Home',
    intro:
      'Carnet records patients, their eligibility and the doses given by vaccination teams, even with no network: every entry is kept on the device and sent as soon as a connection returns.',
    deviceHeading: 'This device',
    network: 'Network',
    version: 'Version',
  },
  notFound: {
    title: 'Page not found',
    body: 'The requested address does not match any page of Carnet.',
    backHome: 'Back to home',
  },
} satisfies AppMessages
