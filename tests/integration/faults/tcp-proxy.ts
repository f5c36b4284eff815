// A TCP proxy between the server and PostgreSQL that breaks the connection the ways an operator's bad day does:
// the database going down (every connection reset, new ones refused), a silent partition (nothing forwarded, no
// error either), a slow network (latency on every chunk), and the answer to a COMMIT lost after the database
// committed. It reads the PostgreSQL wire protocol just enough to see COMMIT go by and whether each connection
// is inside a transaction, so a run can say where its cuts fell.
import { createServer, connect, type Server, type Socket } from 'node:net'

export type ConnectionState = 'idle' | 'transaction' | 'commit'

export type CutReport = {
  /** Connections open when the cut came. */
  readonly open: number
  /** Of those, inside a transaction (BEGIN sent, not yet answered ready-for-query idle). */
  readonly inTransaction: number
  /** Of those, waiting for the answer to a COMMIT. */
  readonly onCommit: number
}

export type TcpProxy = {
  readonly port: number
  /** `url` with its host and port replaced by the proxy's. */
  via(url: string): string
  /** The database goes down: every connection is reset and new ones are refused until `restore`. */
  cut(): Promise<CutReport>
  /** A silent partition: nothing is forwarded either way, new connections hang, until `restore`. */
  stall(): void
  /** Every chunk, both ways, waits this long before it is forwarded (0: none). */
  delay(ms: number): void
  /** Back to normal: listening again after a cut, forwarding what a stall held. */
  restore(): Promise<void>
  /**
   * The next COMMIT goes to the database; once the database has answered it, the answer is dropped and the
   * connection cut. Resolves when that happened.
   */
  dropNextCommitAnswer(): Promise<void>
  /**
   * As `dropNextCommitAnswer`, and at that moment the database goes down as with `cut`; `onCut` is called just
   * before, in the same turn.
   */
  cutAtNextCommit(onCut?: () => void): Promise<CutReport>
  /** Connections by state, now. */
  states(): ConnectionState[]
  close(): Promise<void>
}

type Link = {
  readonly client: Socket
  upstream: Socket | null
  state: ConnectionState
  dropAnswer: boolean
  /** Chunks held while stalled, per direction. */
  readonly held: { up: Buffer[]; down: Buffer[] }
  /** One side closed during a stall: the other side does not hear of it until the partition heals. */
  orphan: boolean
  /** Forwarding with latency keeps order: each chunk is sent after the one before it. */
  chain: { up: Promise<void>; down: Promise<void> }
}

const SSL_REQUEST_CODE = 80877103

/** Splits a PostgreSQL stream into messages as chunks arrive; the frontend's first message has no type byte. */
function messageReader(hasStartup: boolean, onMessage: (type: string, body: Buffer) => void) {
  let buffer: Buffer = Buffer.alloc(0)
  let startup = hasStartup
  return (chunk: Buffer) => {
    buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk])
    for (;;) {
      if (startup) {
        if (buffer.length < 8) return
        const length = buffer.readInt32BE(0)
        if (buffer.length < length) return
        // An SSLRequest is followed by the real startup message.
        if (buffer.readInt32BE(4) !== SSL_REQUEST_CODE) startup = false
        buffer = buffer.subarray(length)
        continue
      }
      if (buffer.length < 5) return
      const length = buffer.readInt32BE(1)
      if (buffer.length < 1 + length) return
      onMessage(String.fromCharCode(buffer[0] ?? 0), buffer.subarray(5, 1 + length))
      buffer = buffer.subarray(1 + length)
    }
  }
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const links = new Set<Link>()
  let mode: 'open' | 'cut' | 'stalled' = 'open'
  let latencyMs = 0
  let armedDrop: (() => void) | null = null
  let armedCut: { resolve: (report: CutReport) => void; onCut: () => void } | null = null
  let server: Server
  let port = 0

  const forward = (link: Link, direction: 'up' | 'down', chunk: Buffer) => {
    const to = direction === 'up' ? link.upstream : link.client
    if (mode === 'stalled' || to === null) {
      link.held[direction].push(chunk)
      return
    }
    if (latencyMs === 0) {
      to.write(chunk)
      return
    }
    const wait = latencyMs
    link.chain[direction] = link.chain[direction].then(
      () =>
        new Promise<void>((resolve) =>
          setTimeout(() => {
            if (!to.destroyed) to.write(chunk)
            resolve()
          }, wait),
        ),
    )
  }

  const drop = (link: Link) => {
    links.delete(link)
    link.client.destroy()
    link.upstream?.destroy()
  }
  // A side that closes: the other side hears of it at once, unless the network is partitioned.
  const closed = (link: Link) => {
    if (mode === 'stalled') link.orphan = true
    else drop(link)
  }

  const openUpstream = (link: Link) => {
    const upstream = connect(target.port, target.host)
    link.upstream = upstream
    upstream.setNoDelay(true)
    const readBackend = messageReader(false, (type, body) => {
      // ReadyForQuery carries the transaction status: I idle, T in a transaction, E in a failed one.
      if (type === 'Z') link.state = body[0] === 0x49 ? 'idle' : 'transaction'
    })
    upstream.on('data', (chunk: Buffer) => {
      if (link.dropAnswer) {
        // The database answered the COMMIT: it committed. The server never hears it (and the connection still
        // counts as waiting for that answer in the cut's report).
        link.dropAnswer = false
        if (armedCut !== null) {
          const { resolve, onCut } = armedCut
          armedCut = null
          onCut()
          void cutNow().then(resolve)
          return
        }
        drop(link)
        armedDrop?.()
        armedDrop = null
        return
      }
      readBackend(chunk)
      forward(link, 'down', chunk)
    })
    upstream.on('error', () => closed(link))
    upstream.on('close', () => closed(link))
    for (const chunk of link.held.up.splice(0)) forward(link, 'up', chunk)
  }

  const onConnection = (client: Socket) => {
    client.setNoDelay(true)
    const link: Link = {
      client,
      upstream: null,
      state: 'idle',
      dropAnswer: false,
      held: { up: [], down: [] },
      orphan: false,
      chain: { up: Promise.resolve(), down: Promise.resolve() },
    }
    links.add(link)
    const readFrontend = messageReader(true, (type, body) => {
      if (type !== 'Q') return
      const sql = body.toString('utf8').replace(/\0$/, '').trim().toUpperCase()
      if (sql === 'BEGIN' || sql.startsWith('BEGIN ')) link.state = 'transaction'
      if (sql === 'COMMIT') {
        link.state = 'commit'
        if (armedDrop !== null || armedCut !== null) link.dropAnswer = true
      }
    })
    client.on('data', (chunk: Buffer) => {
      readFrontend(chunk)
      forward(link, 'up', chunk)
    })
    client.on('error', () => closed(link))
    client.on('close', () => closed(link))
    // A partition: the connection is accepted here, but the database never hears of it until restored.
    if (mode !== 'stalled') openUpstream(link)
  }

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server = createServer(onConnection)
      server.once('error', reject)
      server.listen(port, '127.0.0.1', () => {
        const address = server.address()
        if (typeof address === 'object' && address !== null) port = address.port
        resolve()
      })
    })
  const stopListening = () => new Promise<void>((resolve) => server.close(() => resolve()))

  const cutNow = async (): Promise<CutReport> => {
    const open = [...links]
    const report = {
      open: open.length,
      inTransaction: open.filter((l) => l.state !== 'idle').length,
      onCommit: open.filter((l) => l.state === 'commit').length,
    }
    mode = 'cut'
    const closed = stopListening()
    for (const link of open) drop(link)
    await closed
    return report
  }

  await listen()

  return {
    get port() {
      return port
    },
    via(url) {
      const parsed = new URL(url)
      parsed.hostname = '127.0.0.1'
      parsed.port = String(port)
      return parsed.toString()
    },
    cut: cutNow,
    stall() {
      mode = 'stalled'
    },
    delay(ms) {
      latencyMs = ms
    },
    async restore() {
      if (mode === 'cut') await listen()
      const was = mode
      mode = 'open'
      if (was === 'stalled') {
        for (const link of [...links]) {
          if (link.orphan) {
            drop(link)
            continue
          }
          if (link.upstream === null) openUpstream(link)
          for (const chunk of link.held.up.splice(0)) forward(link, 'up', chunk)
          for (const chunk of link.held.down.splice(0)) forward(link, 'down', chunk)
        }
      }
    },
    dropNextCommitAnswer() {
      return new Promise<void>((resolve) => {
        armedDrop = resolve
      })
    },
    cutAtNextCommit(onCut = () => undefined) {
      return new Promise<CutReport>((resolve) => {
        armedCut = { resolve, onCut }
      })
    },
    states: () => [...links].map((l) => l.state),
    async close() {
      for (const link of [...links]) drop(link)
      if (mode !== 'cut') await stopListening()
    },
  }
}
