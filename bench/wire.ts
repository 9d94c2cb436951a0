import { createConnection, createServer, type AddressInfo, type Server, type Socket } from "node:net";

/**
 * A TCP proxy in front of PostgreSQL that reads the wire protocol and counts, per operation:
 * - round trips: how many times a connection goes from idle (every request answered) to busy.
 *   Messages written together without waiting for an answer (a pipeline) count once; each time the
 *   client has to wait for the server before it can send the next message counts once more;
 * - the client's protocol messages: Q (simple query), P (parse), B (bind), D (describe), E (execute),
 *   S (sync), H (flush).
 * ReadyForQuery (Z) answers a Sync or a simple Query; Parse+Describe+Flush is answered without it,
 * so the next message after such an answer starts a new round trip too.
 * It also keeps the text of every statement the client sends (Q and P messages), in order.
 */
export interface WireCounts {
  roundTrips: number;
  messages: Record<string, number>;
}

const counted = ["Q", "P", "B", "D", "E", "S", "H"];

export interface WireCounter {
  port: number;
  counts(): WireCounts;
  /** The statements (simple Query and Parse texts) sent since the last reset, in the order sent. */
  statements(): string[];
  reset(): void;
  close(): Promise<void>;
}

class ConnectionState {
  // Requests that will be answered by ReadyForQuery, not yet answered.
  awaitingReady = 0;
  // The server sent something since the client last wrote: the client may have been waiting for it.
  serverSpoke = true;
  ready = false;
  clientBuffer = Buffer.alloc(0);
  serverBuffer = Buffer.alloc(0);
  startupDone = false;
}

/** Q: the query text. P: the statement name, then the query text (both NUL-terminated). */
function statementText(type: "Q" | "P", body: Buffer): string {
  const start = type === "Q" ? 0 : body.indexOf(0) + 1;
  return body.toString("utf8", start, body.indexOf(0, start));
}

export async function startWireCounter(target: { host: string; port: number }): Promise<WireCounter> {
  let counts: WireCounts = { roundTrips: 0, messages: {} };
  let statements: string[] = [];
  const maxStatements = 10_000;
  const sockets = new Set<Socket>();

  const onClientMessages = (state: ConnectionState, data: Buffer) => {
    state.clientBuffer = Buffer.concat([state.clientBuffer, data]);
    let startsFlight = false;
    for (;;) {
      if (!state.startupDone) {
        // Startup (and SSLRequest) messages have no type byte: int32 length, then the body.
        if (state.clientBuffer.length < 4) return;
        const length = state.clientBuffer.readInt32BE(0);
        if (state.clientBuffer.length < length) return;
        state.clientBuffer = state.clientBuffer.subarray(length);
        state.startupDone = true;
        continue;
      }
      if (state.clientBuffer.length < 5) break;
      const type = String.fromCharCode(state.clientBuffer[0]!);
      const length = state.clientBuffer.readInt32BE(1);
      if (state.clientBuffer.length < 1 + length) break;
      const body = state.clientBuffer.subarray(5, 1 + length);
      state.clientBuffer = state.clientBuffer.subarray(1 + length);
      if (!state.ready) continue; // authentication exchange
      if (!counted.includes(type)) continue;
      if ((type === "Q" || type === "P") && statements.length < maxStatements)
        statements.push(statementText(type, body));
      if (state.awaitingReady === 0 && state.serverSpoke) startsFlight = true;
      counts.messages[type] = (counts.messages[type] ?? 0) + 1;
      if (type === "S" || type === "Q") state.awaitingReady++;
    }
    if (startsFlight) {
      counts.roundTrips++;
      state.serverSpoke = false;
    }
  };

  const onServerMessages = (state: ConnectionState, data: Buffer) => {
    state.serverBuffer = Buffer.concat([state.serverBuffer, data]);
    for (;;) {
      if (state.serverBuffer.length < 5) break;
      const type = String.fromCharCode(state.serverBuffer[0]!);
      const length = state.serverBuffer.readInt32BE(1);
      if (state.serverBuffer.length < 1 + length) break;
      state.serverBuffer = state.serverBuffer.subarray(1 + length);
      state.serverSpoke = true;
      if (type === "Z") {
        if (!state.ready) state.ready = true;
        else state.awaitingReady = Math.max(0, state.awaitingReady - 1);
      }
    }
  };

  const server: Server = createServer((client) => {
    const state = new ConnectionState();
    const upstream = createConnection(target);
    sockets.add(client);
    sockets.add(upstream);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    client.on("data", (d: Buffer) => {
      onClientMessages(state, d);
      upstream.write(d);
    });
    upstream.on("data", (d: Buffer) => {
      onServerMessages(state, d);
      client.write(d);
    });
    const close = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on("close", close);
    upstream.on("close", close);
    client.on("error", close);
    upstream.on("error", close);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    counts: () => ({ roundTrips: counts.roundTrips, messages: { ...counts.messages } }),
    statements: () => [...statements],
    reset: () => {
      counts = { roundTrips: 0, messages: {} };
      statements = [];
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
