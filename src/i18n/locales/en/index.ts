import { appMessagesEn } from './app'
import { identifiers } from './identifiers'
import { workflow } from './workflow'

export const en = {
  app: appMessagesEn,
  identifiers,
  workflow,
}
