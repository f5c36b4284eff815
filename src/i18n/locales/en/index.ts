import { appMessagesEn } from './app'

export const en = {
  app: appMessagesEn,
}
