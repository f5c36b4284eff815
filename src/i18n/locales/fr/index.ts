import { appMessagesFr } from './app'
import { identifiers } from './identifiers'
import { workflow } from './workflow'

export const fr = {
  app: appMessagesFr,
  identifiers,
  workflow,
}
