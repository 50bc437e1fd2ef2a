import { AsyncLocalStorage } from "node:async_hooks";
import { setImmediate as nextTurn } from "node:timers/promises";
import type {
  IsolationLevel,
  SqlDriverAdapter,
  SqlDriverAdapterFactory,
  SqlQuery,
  SqlResultSet,
  Transaction,
} from "@prisma/driver-adapter-utils";
import PQueue, { type Queue, type QueueAddOptions } from "p-queue";

/**
 * The database statements of one request. Statements of different lanes are
 * started in turn (round-robin), so a request with hundreds of statements
 * waiting cannot push another request's single statement to the back; once
 * the lane is aborted (its request ran out of time), its statements that have
 * not started yet are dropped instead of executed.
 */
export class StatementLane {
  #reason: unknown;
  #aborted = false;

  get aborted(): boolean {
    return this.#aborted;
  }

  /** Why the lane was aborted: every dropped statement rejects with it. */
  get reason(): unknown {
    return this.#reason;
  }

  /** Drops the lane's statements that have not started yet; running ones finish. Idempotent. */
  abort(reason: unknown): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason;
  }
}

const lanes = new AsyncLocalStorage<StatementLane>();
/** Statements sent outside any request (runner, lifecycle, pub/sub): one shared lane, never aborted. */
const BACKGROUND = new StatementLane();

/** Runs fn with its database statements (and those of everything it starts) in lane. */
export function inLane<T>(lane: StatementLane, fn: () => T): T {
  return lanes.run(lane, fn);
}

/** The lane of the request being served, if any. */
export function currentLane(): StatementLane | undefined {
  return lanes.getStore();
}

/**
 * Runs fn outside any request's lane. For statements that Prisma may share
 * between requests: it batches `findUnique` calls made in the same tick into
 * one statement, sent from the lane of whichever request queued first, so
 * aborting that request must not drop the others' lookup with it.
 */
export function outsideLanes<T>(fn: () => T): T {
  return lanes.exit(fn);
}

type RunFunction = () => Promise<unknown>;
type LaneOptions = QueueAddOptions & { lane: StatementLane };

/**
 * p-queue's queue class for round-robin between lanes: one FIFO per lane,
 * the lanes with waiting entries served in turn.
 */
class FairQueue implements Queue<RunFunction, LaneOptions> {
  /**
   * Lanes with waiting entries, in the order they are served (a served lane moves to the back);
   * each lane's entries from `head` on are waiting (no Array.shift on queues of thousands).
   */
  readonly #lanes = new Map<StatementLane, { runs: RunFunction[]; head: number }>();
  #size = 0;

  get size(): number {
    return this.#size;
  }

  enqueue(run: RunFunction, options?: Partial<LaneOptions>): void {
    const lane = options?.lane ?? BACKGROUND;
    const waiting = this.#lanes.get(lane);
    if (waiting) waiting.runs.push(run);
    else this.#lanes.set(lane, { runs: [run], head: 0 });
    this.#size++;
  }

  dequeue(): RunFunction | undefined {
    const next = this.#lanes.entries().next();
    if (next.done) return undefined;
    const [lane, waiting] = next.value;
    const run = waiting.runs[waiting.head++];
    this.#lanes.delete(lane);
    if (waiting.head < waiting.runs.length) this.#lanes.set(lane, waiting);
    this.#size--;
    return run;
  }

  filter(options: Readonly<Partial<LaneOptions>>): RunFunction[] {
    const waiting = options.lane ? [this.#lanes.get(options.lane)] : [...this.#lanes.values()];
    return waiting.flatMap((w) => w?.runs.slice(w.head) ?? []);
  }

  setPriority(): void {
    throw new Error("Database statements have no priorities, only lanes");
  }
}

/** What /metrics reports of the statement scheduler. */
export interface StatementStats {
  /** Statements dropped because their request was aborted before they started. */
  readonly dropped: number;
  /** Statements waiting for their turn. */
  readonly waiting: number;
  /** Statements (and transaction starts) running on the database. */
  readonly running: number;
}

/**
 * The adapter seen by Prisma: statements and transaction starts outside a
 * transaction wait for their lane's turn; statements inside an interactive
 * transaction go straight to the transaction's connection, in the order sent
 * (never reordered, never behind other requests' work, never dropped half-way).
 */
class ScheduledAdapter implements SqlDriverAdapter {
  readonly provider: SqlDriverAdapter["provider"];
  readonly adapterName: string;
  getConnectionInfo?: SqlDriverAdapter["getConnectionInfo"];

  constructor(
    private readonly inner: SqlDriverAdapter,
    private readonly queue: PQueue<FairQueue, LaneOptions>,
    private readonly counters: { dropped: number },
    private readonly inProcess: boolean,
  ) {
    this.provider = inner.provider;
    this.adapterName = inner.adapterName;
    if (inner.getConnectionInfo) this.getConnectionInfo = () => inner.getConnectionInfo!();
  }

  private turn<T>(statement: () => Promise<T>): Promise<T> {
    const lane = lanes.getStore() ?? BACKGROUND;
    return this.queue.add(
      async () => {
        // An in-process database (PGlite) runs a statement on this thread and settles it in a
        // microtask, and p-queue starts the next one in a microtask too: a queue of hundreds would
        // run without ever letting the event loop read another request. One turn of the event loop
        // before each statement lets other requests in (and their statements into the queue).
        if (this.inProcess) await nextTurn();
        if (lane.aborted) {
          this.counters.dropped++;
          throw lane.reason;
        }
        return statement();
      },
      { lane },
    );
  }

  queryRaw(query: SqlQuery): Promise<SqlResultSet> {
    return this.turn(() => this.inner.queryRaw(query));
  }

  executeRaw(query: SqlQuery): Promise<number> {
    return this.turn(() => this.inner.executeRaw(query));
  }

  /** Only the start waits for a turn (on PGlite it takes the database's lock until commit). */
  startTransaction(isolationLevel?: IsolationLevel): Promise<Transaction> {
    return this.turn(() => this.inner.startTransaction(isolationLevel));
  }

  executeScript(script: string): Promise<void> {
    return this.inner.executeScript(script);
  }

  dispose(): Promise<void> {
    return this.inner.dispose();
  }
}

/**
 * Puts a fair, abortable queue in front of a Prisma driver adapter:
 * at most `concurrency` statements run at once (1 for PGlite, which runs one
 * at a time anyway; the pool size for PostgreSQL), and the next to start is
 * taken round-robin over the requests with statements waiting.
 *
 * p-queue provides the concurrency bookkeeping and takes our queue class.
 * Its own AbortSignal is not used: it also abandons a running task and frees
 * its slot while the statement still occupies the connection, and an
 * abandoned transaction start would leave PGlite's lock taken for good; here a
 * lane's abort only drops what has not started.
 */
export function scheduleStatements(
  factory: SqlDriverAdapterFactory,
  { concurrency, inProcess }: { concurrency: number; inProcess: boolean },
): { factory: SqlDriverAdapterFactory; stats: StatementStats } {
  const queue = new PQueue<FairQueue, LaneOptions>({ concurrency, queueClass: FairQueue });
  const counters = { dropped: 0 };
  return {
    factory: {
      provider: factory.provider,
      adapterName: factory.adapterName,
      async connect() {
        return new ScheduledAdapter(await factory.connect(), queue, counters, inProcess);
      },
    },
    stats: {
      get dropped() {
        return counters.dropped;
      },
      get waiting() {
        return queue.size;
      },
      get running() {
        return queue.pending;
      },
    },
  };
}
