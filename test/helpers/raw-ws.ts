import WebSocket from "ws";

export interface CloseInfo {
  code: number;
  reason: string;
}

/** A raw graphql-transport-ws connection, for what a well-behaved client never does. */
export interface RawOutcome {
  acked: boolean;
  /** Set once the server closed the socket. */
  close?: CloseInfo;
  /** Resolves when the socket closes, whoever closes it. */
  closed: Promise<CloseInfo>;
  /** Every message the server sent, parsed. */
  messages: { type: string; id?: string; payload?: unknown }[];
  socket: WebSocket;
}

/**
 * Opens a graphql-transport-ws socket (from `from`, a local address such as
 * 127.0.0.9, when given) and sends `init` as connection_init unless it is null.
 * Resolves once the server acknowledged (the socket stays open) or closed it.
 */
export function rawWs(
  wsUrl: string,
  opts: { init?: Record<string, unknown> | null; from?: string } = {},
): Promise<RawOutcome> {
  const socket = new WebSocket(wsUrl, "graphql-transport-ws", opts.from ? { localAddress: opts.from } : {});
  let onClose!: (info: CloseInfo) => void;
  const outcome: RawOutcome = {
    acked: false,
    messages: [],
    socket,
    closed: new Promise<CloseInfo>((resolve) => (onClose = resolve)),
  };
  return new Promise((resolve, reject) => {
    socket.once("error", reject);
    socket.on("open", () => {
      if (opts.init !== null)
        socket.send(JSON.stringify({ type: "connection_init", payload: opts.init ?? {} }));
    });
    socket.on("message", (data) => {
      // eslint-disable-next-line @typescript-eslint/no-base-to-string -- text frames arrive as Buffers
      const message = JSON.parse(String(data)) as RawOutcome["messages"][number];
      outcome.messages.push(message);
      if (message.type === "connection_ack") {
        outcome.acked = true;
        resolve(outcome);
      }
    });
    socket.on("close", (code, reason) => {
      outcome.close = { code, reason: reason.toString() };
      onClose(outcome.close);
      resolve(outcome);
    });
  });
}
