import { appMessagesEn } from './app'
import { identifiers } from './identifiers'
import { patients } from './patients'
import { steps } from './steps'
import { sync } from './sync'
import { workflow } from './workflow'

export const en = {
  app: appMessagesEn,
  identifiers,
  patients,
  steps,
  sync,
  workflow,
}
