import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backends, createTestDatabase, type TestDatabase } from "../../test/helpers/backends.js";
import { DATABASE_POOL_SIZE } from "./client.js";
import { StatementLane, inLane } from "./scheduler.js";
import { tenantScoped } from "./tenant.js";

/** Statements one lane has waiting at once in these tests: far more than run at once. */
const FLOOD = 100;

describe.each(backends())("statement scheduler ($name)", (backend) => {
  let db: TestDatabase;
  /** Statements running at once: 1 on PGlite, the pool size on PostgreSQL. */
  const concurrency = backend.name === "pglite" ? 1 : DATABASE_POOL_SIZE;
  beforeAll(async () => {
    db = await createTestDatabase(backend);
  });
  afterAll(() => db.dispose());

  /** One labelled statement (it reads the tenants table); its label is pushed to `done` when it has run. */
  const statement = (label: string, done: string[]) =>
    db.database.prisma
      .$queryRawUnsafe<{ label: string }[]>(
        "SELECT $1::text AS label, (SELECT count(*) FROM tenants) AS n",
        label,
      )
      .then((rows) => {
        done.push(rows[0].label);
        return rows[0].label;
      });

  /**
   * Holds the tenants table (and on PGlite, the whole database) from another connection until
   * the returned release is called: statements sent meanwhile start, block, and the rest wait.
   */
  async function holdTenants(): Promise<() => Promise<void>> {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const taken = new Promise<void>((resolve) => (locked = resolve));
    const held = db.database.sql.transaction(async (tx) => {
      await tx.exec("LOCK TABLE tenants IN ACCESS EXCLUSIVE MODE");
      locked();
      await gate;
    });
    await taken;
    return async () => {
      release();
      await held;
    };
  }

  /** Waits (polling) until the scheduler has `running` statements running and `waiting` waiting. */
  async function until(running: number, waiting: number): Promise<void> {
    const { statements } = db.database;
    while (statements.running !== running || statements.waiting !== waiting)
      await new Promise((resolve) => setTimeout(resolve, 5));
  }

  /** `count` statements of one lane, all waiting at once. */
  const flood = (lane: StatementLane, name: string, done: string[], count = FLOOD) =>
    inLane(lane, () =>
      Array.from({ length: count }, (_, i) => statement(`${name}${i}`, done).catch((err: unknown) => err)),
    );

  it("starts another lane's statement after a few turns, not behind a lane's whole queue", async () => {
    const done: string[] = [];
    const release = await holdTenants();
    const heavy = flood(new StatementLane(), "heavy", done);
    await until(concurrency, FLOOD - concurrency);
    const single = inLane(new StatementLane(), () => statement("single", done));
    await until(concurrency, FLOOD - concurrency + 1);
    await release();
    await Promise.all([...heavy, single]);
    expect(done).toHaveLength(FLOOD + 1);
    // First come, first served would run it last; round-robin runs it once the statements already
    // running have freed a slot and the heavy lane has had its turn.
    expect(done.indexOf("single")).toBeLessThanOrEqual(2 * concurrency + 1);
  });

  it("drops an aborted lane's statements that had not started, with the abort reason, and runs the others", async () => {
    const done: string[] = [];
    const lane = new StatementLane();
    const reason = new Error("out of time");
    const droppedBefore = db.database.statements.dropped;
    const release = await holdTenants();
    const aborted = flood(lane, "aborted", done);
    // Some statements are running (blocked), the rest waiting, when the request runs out of time.
    await until(concurrency, FLOOD - concurrency);
    lane.abort(reason);
    const other = flood(new StatementLane(), "other", done, 5);
    await release();
    const outcomes = await Promise.all(aborted);
    expect(await Promise.all(other)).toEqual(["other0", "other1", "other2", "other3", "other4"]);
    const ran = done.filter((label) => label.startsWith("aborted")).length;
    // Only those already running when the lane was aborted (on PGlite the one taken from the
    // queue may still wait for its turn of the event loop, and is dropped too).
    expect(ran).toBeLessThanOrEqual(concurrency);
    const rejected = outcomes.filter((o) => o instanceof Error);
    expect(rejected).toHaveLength(FLOOD - ran);
    for (const err of rejected) expect(err.message).toContain("out of time");
    expect(db.database.statements.dropped - droppedBefore).toBe(FLOOD - ran);
    // A statement sent in the lane after the abort is dropped too.
    await expect(inLane(lane, () => statement("late", done))).rejects.toThrow("out of time");
    expect(done).not.toContain("late");
  });

  it("runs an interactive transaction's statements in order, past other lanes' queues and past an abort", async () => {
    const done: string[] = [];
    // PostgreSQL runs the other lane's statements beside the transaction: give it more to do.
    const count = backend.name === "pglite" ? FLOOD : 5 * FLOOD;
    const heavy = flood(new StatementLane(), "heavy", done, count);
    const lane = new StatementLane();
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    const order: string[] = [];
    await inLane(lane, () =>
      db.database.prisma.$transaction(async (tx) => {
        for (const [i, id] of ids.entries()) {
          await tx.tenant.create({ data: { id, tenantId: id, name: `T${i}`, slug: `t-${id}` } });
          order.push(`T${i}`);
          // The request runs out of time half-way: the transaction is not cut short.
          if (i === 0) lane.abort(new Error("out of time"));
        }
      }),
    );
    // Committed while most of the heavy lane's statements were still waiting.
    expect(done.length).toBeLessThan(count);
    expect(order).toEqual(["T0", "T1", "T2"]);
    const rows = await db.database.prisma.tenant.findMany({
      where: { id: { in: ids } },
      orderBy: { name: "asc" },
    });
    expect(rows.map((r) => r.name)).toEqual(["T0", "T1", "T2"]);
    await Promise.all(heavy);
    expect(done).toHaveLength(count);
  });

  it("keeps findUnique, which Prisma batches across requests, from being dropped with another request", async () => {
    const ids = [randomUUID(), randomUUID()];
    for (const id of ids)
      await db.database.prisma.tenant.create({ data: { id, tenantId: id, name: "U", slug: `u-${id}` } });
    const scoped = tenantScoped(db.database.prisma, ids[0]);
    const [first, second] = [new StatementLane(), new StatementLane()];
    // Two requests look up a row by id in the same tick: Prisma sends one statement for both,
    // from the lane of whichever asked first; that request then runs out of time.
    const lookups = [first, second].map((lane, i) =>
      inLane(lane, () => scoped.tenant.findUnique({ where: { id: ids[i] } }).then((row) => row?.id)),
    );
    first.abort(new Error("out of time"));
    expect(await lookups[1]).toBe(ids[1]);
    expect(await lookups[0]).toBe(ids[0]);
  });
});
