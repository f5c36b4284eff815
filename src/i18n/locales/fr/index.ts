import { appMessagesFr } from './app'

export const fr = {
  app: appMessagesFr,
}
