import { admin } from './admin'
import { appMessagesFr } from './app'
import { documents } from './documents'
import { identifiers } from './identifiers'
import { patients } from './patients'
import { steps } from './steps'
import { sync } from './sync'
import { workflow } from './workflow'

export const fr = {
  app: appMessagesFr,
  admin,
  documents,
  identifiers,
  patients,
  steps,
  sync,
  workflow,
}
