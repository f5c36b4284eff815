import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createCarnetDb, type CarnetDb } from './carnet-db'
import { clearFailures, recordFailure, remainingWait, waitAfter } from './sign-in-attempts'

describe('the wait after wrong passwords', () => {
  it.each([
    [0, 0],
    [4, 0],
    [5, 30_000],
    [6, 60_000],
    [7, 120_000],
    [9, 480_000],
    [10, 900_000],
    [40, 900_000],
  ])('after %i wrong passwords, waits %i ms', (failures, ms) => {
    expect(waitAfter(failures)).toBe(ms)
  })

  describe('kept on the device', () => {
    let db: CarnetDb
    beforeEach(() => {
      db = createCarnetDb(`test-${crypto.randomUUID()}`)
    })
    afterEach(async () => {
      await db.delete()
    })

    it('counts per login, says what is left of the wait, and forgets a login typed right', async () => {
      const at = 1_000_000
      for (let i = 1; i <= 4; i += 1) expect(await recordFailure(db, 'cmartin', at)).toBe(0)
      expect(await recordFailure(db, 'cmartin', at)).toBe(30_000)
      expect(await remainingWait(db, 'cmartin', at + 12_000)).toBe(18_000)
      expect(await remainingWait(db, 'cmartin', at + 31_000)).toBe(0)
      expect(await remainingWait(db, 'jmorel', at)).toBe(0)
      await recordFailure(db, 'jmorel', at)
      await clearFailures(db, 'cmartin')
      expect(await remainingWait(db, 'cmartin', at)).toBe(0)
      expect(await recordFailure(db, 'cmartin', at)).toBe(0)
      expect((await db.meta.get('signInFailures'))?.value).toEqual({
        cmartin: { failures: 1, lastAt: at },
        jmorel: { failures: 1, lastAt: at },
      })
    })
  })
})
