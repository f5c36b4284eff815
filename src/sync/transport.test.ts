import { describe, expect, it, vi } from 'vitest'
import { createSseParser, createTransport, type FetchLike } from './transport'

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } })

function transportAnswering(answer: Response | Error) {
  const fetch = vi.fn<FetchLike>(async () => {
    if (answer instanceof Error) throw answer
    return answer
  })
  const transport = createTransport({
    fetch,
    baseUrl: 'https://carnet.example/',
    deviceToken: 'tok-1',
    appVersion: '1.2.3',
    deviceState: async () => ({ pending: 7, storage: { used: 1234.9, quota: 99999 } }),
  })
  return { fetch, transport }
}

describe('transport', () => {
  it('sends the device token and the device-state headers', async () => {
    const { fetch, transport } = transportAnswering(
      json(200, { changes: [], cursor: '', hasMore: false, lastSeq: 0 }),
    )
    expect(await transport.pull('abc', 100)).toMatchObject({ kind: 'ok' })
    const [url, init] = fetch.mock.calls[0] ?? []
    expect(url).toBe('https://carnet.example/api/sync/pull?after=abc&limit=100')
    expect(init?.headers).toMatchObject({
      authorization: 'Bearer tok-1',
      'x-carnet-pending': '7',
      'x-carnet-app-version': '1.2.3',
      'x-carnet-storage': '1234/99999',
    })
  })

  it.each([
    [true, '1'],
    [false, '0'],
  ])('tells the dashboard whether storage is persistent (%s → %s)', async (persisted, header) => {
    const fetch = vi.fn<FetchLike>(async () =>
      json(200, { changes: [], cursor: '', hasMore: false, lastSeq: 0 }),
    )
    const transport = createTransport({
      fetch,
      deviceToken: 'tok-1',
      appVersion: '1.2.3',
      deviceState: async () => ({ pending: 0, persisted }),
    })
    await transport.pull('')
    expect(fetch.mock.calls[0]?.[1].headers).toMatchObject({ 'x-carnet-persisted': header })
  })

  it('leaves persistence out when the browser cannot tell', async () => {
    const { fetch, transport } = transportAnswering(
      json(200, { changes: [], cursor: '', hasMore: false, lastSeq: 0 }),
    )
    await transport.pull('')
    expect(fetch.mock.calls[0]?.[1].headers).not.toHaveProperty('x-carnet-persisted')
  })

  it.each([
    [
      json(409, { error: 'seq-gap', detail: { expectedSeq: 4, lastSeq: 3 } }),
      { kind: 'seq-gap', expectedSeq: 4, lastSeq: 3 },
    ],
    [json(401, { error: 'device-revoked' }), { kind: 'revoked' }],
    [json(401, { error: 'unauthenticated' }), { kind: 'unauthenticated' }],
    [json(426, { error: 'upgrade-required' }), { kind: 'upgrade-required' }],
    [
      json(503, { error: 'unavailable' }, { 'retry-after': '3' }),
      { kind: 'transient', reason: 'unavailable', retryAfterMs: 3000 },
    ],
    [json(502, {}), { kind: 'transient', reason: 'server-error', status: 502 }],
    [new TypeError('Failed to fetch'), { kind: 'transient', reason: 'network' }],
    [
      new Response('<html>portail wifi</html>', { status: 200 }),
      { kind: 'transient', reason: 'invalid-response' },
    ],
    [
      json(400, { error: 'invalid-request', issues: [{ path: ['mutations', 0, 'seq'], message: 'bad' }] }),
      {
        kind: 'refused',
        status: 400,
        error: 'invalid-request',
        problems: [{ path: ['mutations', 0, 'seq'], message: 'bad' }],
      },
    ],
    [
      json(413, { error: 'payload-too-large', detail: { maxMutations: 500 } }),
      {
        kind: 'refused',
        status: 413,
        error: 'payload-too-large',
        problems: [{ path: ['maxMutations'], message: '500' }],
      },
    ],
  ])('maps an answer to a typed outcome (%#)', async (answer, expected) => {
    const { transport } = transportAnswering(answer)
    expect(await transport.push('dev-1', [])).toMatchObject(expected)
  })

  it('sends the resolving person’s access token with a resolution, and none when there is no token', async () => {
    const record = {
      id: 'm-1',
      mutation: {},
      error: 'role-not-valid',
      rejectedAt: '2026-03-04T11:00:00Z',
    }
    const { fetch, transport } = transportAnswering(json(200, record))
    await transport.resolve('m-1', 'discarded', undefined, 'access-of-delegate')
    await transport.resolve('m-1', 'discarded')
    const [withToken, withoutToken] = fetch.mock.calls.map(([, init]) => init.headers)
    expect(withToken).toMatchObject({
      authorization: 'Bearer tok-1',
      'x-carnet-access-token': 'access-of-delegate',
    })
    expect(withoutToken).not.toHaveProperty('x-carnet-access-token')
  })

  it('reads "pull" events from the stream until it ends', async () => {
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        const encoder = new TextEncoder()
        controller.enqueue(encoder.encode('retry: 5000\n\nevent: pull\nda'))
        controller.enqueue(encoder.encode('ta: {}\n\n: keep-alive\n\nevent: pull\ndata: {}\n\n'))
        controller.close()
      },
    })
    const { transport } = transportAnswering(new Response(body, { status: 200 }))
    const onPull = vi.fn()
    expect(await transport.listen(onPull, new AbortController().signal)).toEqual({ kind: 'closed' })
    expect(onPull).toHaveBeenCalledTimes(2)
  })

  it('tells who revoked the device, when and how, from the 401 body', async () => {
    const revocation = {
      revokedAt: '2026-03-04T10:00:00.000Z',
      revokedBy: { id: 'u-admin', name: 'Thomas Leroy' },
      mode: 'after-export',
      exportUntil: '2026-03-11T10:00:00.000Z',
    }
    const { transport } = transportAnswering(json(401, { error: 'device-revoked', detail: revocation }))
    expect(await transport.pull('')).toEqual({ kind: 'revoked', revocation })
  })

  it.each([
    [{ count: 2, tables: ['steps', 'patients'] }, '2;steps,patients'],
    [{ count: 0, tables: [] }, '0'],
    [{ count: 3, tables: ['bad table!'] }, '3'],
  ])('reports the rows that do not open (%j → %s)', async (broken, header) => {
    const fetch = vi.fn<FetchLike>(async () =>
      json(200, { changes: [], cursor: '', hasMore: false, lastSeq: 0 }),
    )
    const transport = createTransport({
      fetch,
      deviceToken: 'tok-1',
      appVersion: '1.2.3',
      deviceState: async () => ({ pending: 0, broken }),
    })
    await transport.pull('')
    expect(fetch.mock.calls[0]?.[1].headers).toMatchObject({ 'x-carnet-broken': header })
  })

  it('ends the stream as revoked when the server says so on it', async () => {
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        const encoder = new TextEncoder()
        controller.enqueue(encoder.encode('event: pull\ndata: {}\n\nevent: revoked\ndata: {}\n\n'))
        // Left open: the revoked event alone ends the listening.
      },
    })
    const { transport } = transportAnswering(new Response(body, { status: 200 }))
    const onPull = vi.fn()
    expect(await transport.listen(onPull, new AbortController().signal)).toEqual({ kind: 'revoked' })
    expect(onPull).toHaveBeenCalledTimes(1)
  })

  it('parses SSE lines split anywhere, with any line ending', () => {
    const events: string[] = []
    const parse = createSseParser((name) => events.push(name))
    parse('event: pu')
    parse('ll\r\ndata: {}\r\n\r\nevent: other\n\n')
    expect(events).toEqual(['pull', 'other'])
  })
})
