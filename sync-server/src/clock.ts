export type Clock = { readonly now: () => Date }

export const systemClock: Clock = { now: () => new Date() }

export function fixedClock(at: string | Date): Clock {
  const date = new Date(at)
  return { now: () => new Date(date) }
}
