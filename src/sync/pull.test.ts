import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createCarnetDb, type CarnetDb } from '../db/carnet-db'
import type { PullChange, PullResponse } from '../shared/sync-api'
import { parsePage, pullAll } from './pull'
import type { SyncTransport } from './transport'

const DEVICE = '0194a000-0000-7000-8000-0000000000d1'
const REVOCATION = {
  revokedAt: '2026-03-04T10:00:00.000Z',
  revokedBy: { id: 'u-admin', name: 'Thomas Leroy' },
  mode: 'after-export' as const,
  exportUntil: '2026-03-11T10:00:00.000Z',
}

function page(changes: PullChange[]): PullResponse {
  return { changes, cursor: 'c-1', hasMore: false, lastSeq: 0 }
}

const transportOf = (response: PullResponse): Pick<SyncTransport, 'pull'> => ({
  pull: async () => ({ kind: 'ok', value: response }),
})

describe('pull: the organisation and revocations', () => {
  let db: CarnetDb
  beforeEach(() => {
    db = createCarnetDb(`test-${crypto.randomUUID()}`)
  })
  afterEach(async () => {
    await db.delete()
  })

  it('keeps the organisation’s record (its idle lock) when it changes', async () => {
    const outcome = await pullAll({
      db,
      transport: transportOf(
        page([
          {
            position: 1,
            entity: 'organisation',
            id: 'org-1',
            data: { id: 'org-1', name: 'EHPAD Les Tilleuls', idleLockMinutes: 3 },
          },
        ]),
      ),
      now: () => '2026-03-04T10:00:00+01:00',
      deviceId: DEVICE,
    })
    expect(outcome).toMatchObject({ kind: 'ok', isRevoked: false })
    expect((await db.meta.get('organisation'))?.value).toEqual({
      id: 'org-1',
      name: 'EHPAD Les Tilleuls',
      idleLockMinutes: 3,
    })
  })

  it('learns that this device is revoked, by whom and when; another device’s revocation is not its own', async () => {
    const mine = {
      position: 2,
      entity: 'device-revoked' as const,
      id: DEVICE,
      data: { id: DEVICE, ...REVOCATION },
    }
    const other = { ...mine, position: 1, id: 'd-other', data: { id: 'd-other', ...REVOCATION } }
    const outcome = await pullAll({
      db,
      transport: transportOf(page([other, mine])),
      now: () => '2026-03-04T10:00:00+01:00',
      deviceId: DEVICE,
    })
    expect(outcome).toMatchObject({ kind: 'ok', isRevoked: true, revocation: REVOCATION })
  })

  it('reads a revocation recorded before modes (the revoker as a bare id) without failing the page', () => {
    const parsed = parsePage([
      {
        position: 1,
        entity: 'device-revoked',
        id: DEVICE,
        data: { id: DEVICE, revokedAt: REVOCATION.revokedAt, revokedBy: 'u-admin' },
      },
    ])
    expect(parsed.revokedDevices.get(DEVICE)).toBeNull()
  })
})
