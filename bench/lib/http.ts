import { request, type Agent } from 'node:http'

export type HttpAnswer = {
  status: number
  text: string
  ms: number
  /** The Retry-After header, when there is one. */
  retryAfter: string | null
}

export type HttpOptions = {
  method?: 'GET' | 'POST'
  headers?: Record<string, string>
  body?: unknown
  /** Loopback source address (127.0.0.x) the request leaves from. */
  localAddress?: string
  agent?: Agent
  timeoutMs?: number
}

/**
 * One HTTP/1.1 request on loopback with node:http (not fetch): it can leave from a chosen 127.0.0.x address
 * and share a keep-alive agent. Resolves with the status and body, or rejects on a network error or timeout.
 */
export function httpJson(url: string, options: HttpOptions = {}): Promise<HttpAnswer> {
  const body = options.body === undefined ? undefined : JSON.stringify(options.body)
  const started = performance.now()
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: options.method ?? (body === undefined ? 'GET' : 'POST'),
        headers: {
          accept: 'application/json',
          ...(body === undefined
            ? {}
            : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) }),
          ...options.headers,
        },
        ...(options.localAddress === undefined ? {} : { localAddress: options.localAddress }),
        ...(options.agent === undefined ? {} : { agent: options.agent }),
        timeout: options.timeoutMs ?? 30_000,
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('error', reject)
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            text: Buffer.concat(chunks).toString('utf8'),
            ms: performance.now() - started,
            retryAfter: typeof res.headers['retry-after'] === 'string' ? res.headers['retry-after'] : null,
          }),
        )
      },
    )
    req.on('timeout', () => req.destroy(new Error(`timeout after ${options.timeoutMs ?? 30_000} ms`)))
    req.on('error', reject)
    req.end(body)
  })
}
