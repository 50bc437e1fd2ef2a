import { describe, expect, it } from "vitest";
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
});
