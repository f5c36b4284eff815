import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import {
  AT,
  buildEligibilityFields,
  buildGrants,
  buildUsers,
  NOW,
  USERS,
  VALID,
} from '../domain/testing/builders'
import { signingInput } from '../shared/canonical-json'
import { MutationSchema } from '../shared/commands'
import { OutboxExportSchema } from '../shared/sync-api'
import { createCarnetDb, type CarnetDb } from '../db/carnet-db'
import { getPatientFile } from '../db/patients-repo'
import { base64ToBytes, bytesToBase64 } from '../db/base64'
import { allSteps } from '../db/testing'
import { openJson } from '../db/vault/crypto'
import { importSigningKey } from '../db/vault/device-key'
import { createTestDb } from '../db/vault/testing'
import { UUID_PATTERN } from './ids'
import {
  exportOutbox,
  lastSeq,
  listOutbox,
  pendingChangeCount,
  pendingCount,
  recordChange,
  type OutboxExport,
  type RecordChangeInput,
} from './outbox'

const DEVICE = '0194a000-0000-7000-8000-0000000000d1'
const DEVICE_KEY = bytesToBase64(crypto.getRandomValues(new Uint8Array(32)))

let db: CarnetDb
let signingKey: CryptoKey

beforeEach(async () => {
  db = createCarnetDb(`test-${crypto.randomUUID()}`)
  await db.users.bulkPut(buildUsers())
  await db.roleGrants.bulkPut(buildGrants())
  await db.meta.put({ key: 'deviceId', value: DEVICE })
  signingKey = await importSigningKey(DEVICE_KEY)
})

afterEach(async () => {
  await db.delete()
})

function register(
  patientId: string,
  overrides: { nir?: string; birthName?: string } = {},
): RecordChangeInput<'patient.register'> {
  return {
    type: 'patient.register',
    payload: {
      patientId,
      codeDeCiblage: '0123456789V',
      identity: {
        birthName: overrides.birthName ?? 'Dupré',
        firstNames: 'Éloïse',
        sex: 'female',
        birthDate: '1955-08-20',
        nir: overrides.nir ?? VALID.nir,
      },
      contact: { postalCode: '75012', commune: 'Paris' },
    },
    actor: { userId: USERS.medecin },
    at: AT,
    now: NOW,
    deviceId: DEVICE,
    signingKey,
  }
}

function eligibility(patientId: string, stepId: string): RecordChangeInput<'step.record'> {
  return {
    type: 'step.record',
    payload: { kind: 'eligibility', stepId, patientId, fields: buildEligibilityFields() },
    actor: { userId: USERS.medecin },
    at: AT,
    now: NOW,
    deviceId: DEVICE,
    signingKey,
  }
}

describe('recordChange', () => {
  it('writes the record and a signed, parseable outbox row together', async () => {
    const result = await recordChange(db, register('p-1'))
    expect(result.ok).toBe(true)
    if (!result.ok) return
    expect(result.mutation).toMatchObject({ v: 1, seq: 1, deviceId: DEVICE, type: 'patient.register' })
    expect(result.mutation.id).toMatch(UUID_PATTERN)
    expect(result.mutation.id.charAt(14)).toBe('7')

    const file = await getPatientFile(db, 'p-1')
    expect(file?.patient).toMatchObject({ id: 'p-1', birthName: 'Dupré', nir: VALID.nir, version: 1 })

    const [row] = await db.outbox.toArray()
    expect(row?.status).toBe('pending')
    const mutation = MutationSchema.parse(row)
    expect(mutation).toEqual(result.mutation)

    // Verified independently of src/sync: HMAC-SHA256, keyed by the deviceKey's raw bytes, over the canonical
    // envelope without sig.
    const key = await crypto.subtle.importKey(
      'raw',
      Uint8Array.from(atob(DEVICE_KEY), (c) => c.charCodeAt(0)),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['verify'],
    )
    const sig = base64ToBytes(mutation.sig)
    expect(sig).not.toBeNull()
    if (sig === null) return
    const data = new TextEncoder().encode(signingInput(mutation))
    expect(await crypto.subtle.verify('HMAC', key, sig, data)).toBe(true)
    const tampered = new TextEncoder().encode(signingInput({ ...mutation, seq: 2 }))
    expect(await crypto.subtle.verify('HMAC', key, sig, tampered)).toBe(false)
  })

  it('hands out seq 1, 2, 3… with no gap, and keeps counting once rows are pruned', async () => {
    const results = [
      await recordChange(db, register('p-1')),
      await recordChange(db, eligibility('p-1', 's-1')),
      await recordChange(db, register('p-2', { nir: VALID.otherNir, birthName: 'Martin' })),
    ]
    expect(results.map((r) => (r.ok ? r.mutation.seq : null))).toEqual([1, 2, 3])
    await db.outbox.clear()
    const next = await recordChange(db, { ...eligibility('p-2', 's-2') })
    expect(next.ok && next.mutation.seq).toBe(4)
  })

  it('orders two concurrent saves without a gap or a duplicate', async () => {
    const [a, b] = await Promise.all([
      recordChange(db, register('p-1')),
      recordChange(db, register('p-2', { nir: VALID.otherNir, birthName: 'Martin' })),
    ])
    expect([a.ok && a.mutation.seq, b.ok && b.mutation.seq].sort()).toEqual([1, 2])
    expect((await listOutbox(db)).map((e) => e.mutation.seq)).toEqual([1, 2])
  })

  it('re-signs with the next seq when another tab queued first', async () => {
    const otherTab = createCarnetDb(db.name)
    // Both tabs open before the race, so that both read the same last seq.
    await Promise.all([db.open(), otherTab.open()])
    const sign = vi.spyOn(crypto.subtle, 'sign')
    const [a, b] = await Promise.all([
      recordChange(db, register('p-1')),
      recordChange(otherTab, register('p-2', { nir: VALID.otherNir, birthName: 'Martin' })),
    ])
    otherTab.close()
    expect(sign).toHaveBeenCalledTimes(3)
    sign.mockRestore()
    const entries = await listOutbox(db)
    expect(entries.map((e) => e.mutation.seq)).toEqual([1, 2])
    expect([a.ok && a.mutation.seq, b.ok && b.mutation.seq].sort()).toEqual([1, 2])
    for (const entry of entries) {
      const key = await importSigningKey(DEVICE_KEY)
      const sig = base64ToBytes(entry.mutation.sig) ?? new Uint8Array()
      const data = new TextEncoder().encode(signingInput(entry.mutation))
      expect(await crypto.subtle.verify('HMAC', key, sig, data)).toBe(true)
    }
  })

  it('writes nothing when the rule refuses, and returns its code', async () => {
    const refused = await recordChange(db, eligibility('p-unknown', 's-1'))
    expect(refused).toEqual({ ok: false, error: 'patient-not-found', detail: { patientId: 'p-unknown' } })
    await recordChange(db, register('p-1'))
    const again = await recordChange(db, eligibility('p-1', 's-1'))
    expect(again.ok).toBe(true)
    const twice = await recordChange(db, eligibility('p-1', 's-2'))
    expect(twice.ok === false && twice.error).toBe('step-already-recorded')
    expect(await allSteps(db)).toHaveLength(1)
    expect((await listOutbox(db)).map((e) => e.mutation.seq)).toEqual([1, 2])
    expect(await lastSeq(db)).toBe(2)
  })

  it('refuses a malformed payload as invalid-fields, writing nothing', async () => {
    const input = register('p-1')
    const result = await recordChange(db, { ...input, payload: { ...input.payload, codeDeCiblage: '!' } })
    expect(result.ok === false && result.error).toBe('invalid-fields')
    expect(await db.outbox.count()).toBe(0)
  })

  it('writes neither the record nor the outbox row when the transaction fails', async () => {
    const failing = () => {
      throw new Error('QuotaExceededError (simulated)')
    }
    db.outbox.hook('creating', failing)
    await expect(recordChange(db, register('p-1'))).rejects.toThrow('simulated')
    db.outbox.hook('creating').unsubscribe(failing)
    expect(await db.files.count()).toBe(0)
    expect(await db.outbox.count()).toBe(0)
    expect(await lastSeq(db)).toBe(0)
    const retried = await recordChange(db, register('p-1'))
    expect(retried.ok && retried.mutation.seq).toBe(1)
  })

  it('merges a registration of a known NIR into the existing file (mappedIds), queuing it anyway', async () => {
    await recordChange(db, register('p-1'))
    const again = await recordChange(db, register('p-dup'))
    expect(again.ok && again.effects.mappedIds).toEqual({ 'p-dup': 'p-1' })
    expect(await db.files.count()).toBe(1)
    expect(await pendingCount(db)).toBe(2)
  })
})

describe('outbox reads', () => {
  it('counts a print or export as waiting to be sent, not as a change the person made', async () => {
    await recordChange(db, register('p-1'))
    const { actor, at, now, deviceId } = register('p-1')
    await recordChange(db, {
      type: 'audit.append',
      payload: {
        events: [{ id: 'a-1', action: 'print', entity: 'patient', entityId: 'p-1', at: AT, format: 'pdf' }],
      },
      actor,
      at,
      now,
      deviceId,
      signingKey,
    })
    expect(await pendingCount(db)).toBe(2)
    expect(await pendingChangeCount(db)).toBe(1)
  })

  it('counts and exports only unsynced mutations, in seq order', async () => {
    await recordChange(db, register('p-1'))
    await recordChange(db, eligibility('p-1', 's-1'))
    await recordChange(db, register('p-2', { nir: VALID.otherNir, birthName: 'Martin' }))
    await db.outbox.update(1, { status: 'applied' })
    await db.outbox.update(3, { status: 'sending' })
    expect(await pendingCount(db)).toBe(2)
    expect(await pendingChangeCount(db)).toBe(2)

    const file = JSON.parse(await exportOutbox(db, { now: NOW })) as OutboxExport
    expect(file).toMatchObject({ kind: 'carnet-outbox', v: 2, deviceId: DEVICE, exportedAt: NOW, sealed: [] })
    const mutations = file.mutations.map((m) => MutationSchema.parse(m))
    expect(mutations.map((m) => m.seq)).toEqual([2, 3])
    expect(file.mutations).toEqual(mutations)
    expect((await listOutbox(db, { statuses: ['applied'] })).map((e) => e.mutation.seq)).toEqual([1])
  })

  it('exports a sealed outbox still sealed: only the data key opens each entry, bound to its seq', async () => {
    const sealed = await createTestDb('sealed')
    try {
      await sealed.users.bulkPut(buildUsers())
      await sealed.roleGrants.bulkPut(buildGrants())
      await sealed.meta.put({ key: 'deviceId', value: DEVICE })
      await recordChange(sealed, register('p-1'))
      await recordChange(sealed, eligibility('p-1', 's-1'))
      await sealed.outbox.update(1, { status: 'rejected' })
      const keys = sealed.vault.keys
      if (keys === null) throw new Error('test database is not unlocked')
      const queued = (await listOutbox(sealed)).map((e) => e.mutation)

      const text = await exportOutbox(sealed, { now: NOW })
      // Nothing of the patient travels in clear: not the name, not the NIR.
      expect(text).not.toContain('Dupré')
      expect(text).not.toContain(VALID.nir)
      const file = OutboxExportSchema.parse(JSON.parse(text))
      expect(file.mutations).toEqual([])
      expect(file.sealed.map((e) => [e.seq, e.type])).toEqual([[2, 'step.record']])
      const [entry] = file.sealed
      const bytes = base64ToBytes(entry?.c ?? '')
      if (entry === undefined || bytes === null) throw new Error('no sealed entry')
      const opened = (await openJson(keys, `outbox\u0000${entry.seq}`, bytes)) as Record<string, unknown>
      const envelope: Record<string, unknown> = { ...opened, seq: entry.seq, id: entry.id, type: entry.type }
      delete envelope.status
      expect(envelope).toEqual(queued[1])
      // Moved to another seq, the value does not open.
      await expect(openJson(keys, 'outbox\u00001', bytes)).rejects.toThrow()

      // A set-aside entry is exported on its own, by seq, whatever its status.
      const aside = OutboxExportSchema.parse(JSON.parse(await exportOutbox(sealed, { now: NOW, seqs: [1] })))
      expect(aside.sealed.map((e) => e.seq)).toEqual([1])
    } finally {
      sealed.vault.lock()
      await sealed.delete()
    }
  })

  it('refuses an outbox row that does not parse', async () => {
    await recordChange(db, register('p-1'))
    await db.outbox.update(1, { at: 'yesterday' })
    await expect(listOutbox(db)).rejects.toThrow()
  })
})
