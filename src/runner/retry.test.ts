import { describe, expect, it, vi } from "vitest";
import { isTransient, withRetry } from "./retry.js";

describe("withRetry", () => {
  it("retries transient failures and returns the eventual result", async () => {
    let calls = 0;
    const result = await withRetry(
      async () => {
        if (++calls < 3)
          throw Object.assign(new Error("Connection terminated unexpectedly"), { code: "P1017" });
        return "saved";
      },
      5,
      1,
    );
    expect([result, calls]).toEqual(["saved", 3]);
  });

  it("does not retry other errors", async () => {
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw Object.assign(new Error("unique"), { code: "P2002" });
        },
        5,
        1,
      ),
    ).rejects.toThrow("unique");
    expect(calls).toBe(1);
  });

  it("gives up after the last attempt", async () => {
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw new Error("read ECONNRESET");
        },
        3,
        1,
      ),
    ).rejects.toThrow("ECONNRESET");
    expect(calls).toBe(3);
  });

  it("recognises lost connections by code or message", () => {
    expect(isTransient({ code: "57P01" })).toBe(true);
    expect(isTransient(new Error("server closed the connection unexpectedly"))).toBe(true);
    expect(isTransient(new Error("syntax error"))).toBe(false);
    expect(isTransient("ECONNRESET")).toBe(false);
  });

  it("recognises each lost-connection message, and nothing but an object with a string code or message", () => {
    for (const message of [
      "read ECONNRESET",
      "connect ECONNREFUSED 127.0.0.1:5432",
      "Connection terminated unexpectedly",
      "Connection closed",
      "connection is closed",
      "server closed the connection unexpectedly",
      "timeout exceeded when trying to connect",
    ])
      expect([message, isTransient(new Error(message))]).toEqual([message, true]);
    expect(isTransient(null)).toBe(false);
    expect(isTransient(undefined)).toBe(false);
    expect(isTransient({ code: "P2002" })).toBe(false);
    expect(isTransient({ code: 1001, message: 42 })).toBe(false);
    expect(isTransient({ message: ["ECONNRESET"] })).toBe(false);
    expect(isTransient(Object.assign(() => undefined, { code: "P1001" }))).toBe(false);
  });

  it("waits 100 ms, then 200 ms, then 400 ms between attempts", async () => {
    vi.useFakeTimers();
    try {
      let calls = 0;
      const done = withRetry(async () => {
        if (++calls < 4) throw new Error("read ECONNRESET");
        return calls;
      });
      const callsAt = async (ms: number) => {
        await vi.advanceTimersByTimeAsync(ms);
        return calls;
      };
      expect(await callsAt(0)).toBe(1);
      expect(await callsAt(99)).toBe(1);
      expect(await callsAt(1)).toBe(2);
      expect(await callsAt(199)).toBe(2);
      expect(await callsAt(1)).toBe(3);
      expect(await callsAt(399)).toBe(3);
      expect(await callsAt(1)).toBe(4);
      expect(await done).toBe(4);
    } finally {
      vi.useRealTimers();
    }
  });
});
