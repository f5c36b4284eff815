import { describe, expect, it, vi } from 'vitest'
import { z } from 'zod'
import { createAdminClient, withQuery, type FetchLike } from './admin-client'

const Schema = z.object({ items: z.array(z.string()), nextCursor: z.string().nullable() })

function clientAnswering(response: () => Response | Promise<Response>, token: string | null = 'jeton') {
  const fetch = vi.fn<FetchLike>(async () => response())
  return { fetch, client: createAdminClient({ accessToken: () => token, fetch }) }
}

describe('admin client', () => {
  it('sends the access token and parses the answer with the shared schema', async () => {
    const { fetch, client } = clientAnswering(() => Response.json({ items: ['a'], nextCursor: null }))
    const result = await client.get('/api/admin/devices', Schema, { q: 'bus', status: '', cursor: undefined })
    expect(result).toEqual({ ok: true, value: { items: ['a'], nextCursor: null } })
    const [url, init] = fetch.mock.calls[0] ?? []
    expect(url).toBe('/api/admin/devices?q=bus')
    expect(new Headers(init?.headers).get('authorization')).toBe('Bearer jeton')
  })

  it('turns refusals into codes with their detail, and an unreadable answer into invalid-response', async () => {
    const forbidden = clientAnswering(() =>
      Response.json({ error: 'forbidden', detail: { need: 'revoke-devices' } }, { status: 403 }),
    )
    expect(await forbidden.client.post('/api/admin/devices/d-1/revoke', {}, Schema)).toEqual({
      ok: false,
      error: { code: 'forbidden', status: 403, detail: { need: 'revoke-devices' } },
    })
    const admin = clientAnswering(() => Response.json({ error: 'login-taken' }, { status: 409 }))
    expect(await admin.client.post('/api/admin/users', {}, Schema)).toMatchObject({
      ok: false,
      error: { code: 'login-taken', status: 409 },
    })
    const bad = clientAnswering(() => Response.json({ items: 'pas une liste' }))
    expect(await bad.client.get('/api/admin/users', Schema)).toMatchObject({
      ok: false,
      error: { code: 'invalid-response' },
    })
    const down = clientAnswering(() => new Response('<html>', { status: 502 }))
    expect(await down.client.get('/api/admin/users', Schema)).toMatchObject({
      ok: false,
      error: { code: 'server' },
    })
  })

  it('says offline without a network, and unauthenticated without a token (no request sent)', async () => {
    const offline = clientAnswering(() => Promise.reject(new TypeError('Failed to fetch')))
    expect(await offline.client.get('/api/admin/users', Schema)).toMatchObject({
      ok: false,
      error: { code: 'offline' },
    })
    const signedOut = clientAnswering(() => Response.json({}), null)
    expect(await signedOut.client.get('/api/admin/users', Schema)).toMatchObject({
      ok: false,
      error: { code: 'unauthenticated' },
    })
    expect(signedOut.fetch).not.toHaveBeenCalled()
  })

  it('downloads a CSV under the server’s file name', async () => {
    const { client } = clientAnswering(
      () =>
        new Response('\uFEFFa;b\r\n', {
          headers: {
            'content-type': 'text/csv',
            'content-disposition': 'attachment; filename="journal-2026-03.csv"',
          },
        }),
    )
    const result = await client.csv('/api/admin/audit.csv', { from: '2026-03-01T00:00:00Z' }, 'journal.csv')
    expect(result.ok && result.value.filename).toBe('journal-2026-03.csv')
    expect(result.ok && (await result.value.blob.text())).toBe('\uFEFFa;b\r\n')
  })

  it('leaves empty filters out of the URL', () => {
    expect(withQuery('/x', { a: '', b: undefined, c: null, d: 0, e: 'f g' })).toBe('/x?d=0&e=f+g')
  })
})
