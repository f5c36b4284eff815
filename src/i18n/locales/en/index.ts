import { admin } from './admin'
import { appMessagesEn } from './app'
import { documents } from './documents'
import { identifiers } from './identifiers'
import { patients } from './patients'
import { steps } from './steps'
import { sync } from './sync'
import { workflow } from './workflow'

export const en = {
  app: appMessagesEn,
  admin,
  documents,
  identifiers,
  patients,
  steps,
  sync,
  workflow,
}
