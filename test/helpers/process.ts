import { spawn, type ChildProcess, type ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createTestDatabase, type Backend } from "./backends.js";

export const BIN = fileURLToPath(new URL("../../bin/scenariolab.js", import.meta.url));

/** Every process the helpers started that has not exited yet. */
const leftovers = new Set<ChildProcess>();
// Last resort for a test that timed out and started a process after its afterEach ran.
process.once("exit", () => {
  for (const child of leftovers) child.kill("SIGKILL");
});

function track<T extends ChildProcess>(child: T): T {
  leftovers.add(child);
  child.once("exit", () => leftovers.delete(child));
  return child;
}

/**
 * Kills (SIGKILL) every process the helpers started that is still running and waits until it is
 * gone. Call it in afterEach: a test that fails between start and stop would otherwise leave a
 * server running, holding its port and its embedded database for the next test.
 */
export async function killLeftovers(): Promise<void> {
  await Promise.all(
    [...leftovers].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once("exit", () => resolve());
          child.kill("SIGKILL");
        }),
    ),
  );
  leftovers.clear();
}

/** Runs the CLI to completion. */
export function runCli(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = track(
      spawn(process.execPath, [BIN, ...args], {
        env: { ...process.env, NODE_ENV: "production", LOG_LEVEL: "warn", ...env },
      }),
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

export interface ServeProcess {
  child: ChildProcessWithoutNullStreams;
  url: string;
  stdout: () => string;
  /** Resolves with the exit code (or signal name). */
  exited: Promise<number | string>;
}

/** Starts `scenariolab serve` on a random port and waits until it is ready (NODE_ENV as in production, not vitest's "test"). */
export async function startServe(env: Record<string, string>, timeoutMs = 60_000): Promise<ServeProcess> {
  const child = track(
    spawn(process.execPath, [BIN, "serve"], {
      env: { ...process.env, NODE_ENV: "production", LOG_LEVEL: "warn", PORT: "0", ...env },
    }),
  );
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (out += d));
  const exited = new Promise<number | string>((resolve) =>
    child.on("exit", (code, signal) => resolve(code ?? signal ?? -1)),
  );
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = /listening on (\S+)/.exec(out);
    if (match) {
      const url = match[1];
      const ready = await fetch(url.replace("/graphql", "/readyz")).then(
        (r) => r.ok,
        () => false,
      );
      if (ready) return { child, url, stdout: () => out, exited };
    }
    if (child.exitCode !== null) throw new Error(`serve exited early:\n${out}`);
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`serve did not become ready:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface WorkerProcess {
  child: ChildProcessWithoutNullStreams;
  /** Everything it wrote (its log lines are JSON with LOG_LEVEL=info). */
  output: () => string;
  /** Resolves with the exit code (or signal name). */
  exited: Promise<number | string>;
}

/** Starts `scenariolab worker` and waits until it takes runs (NODE_ENV as in production). */
export async function startWorker(env: Record<string, string>, timeoutMs = 60_000): Promise<WorkerProcess> {
  const child = track(
    spawn(process.execPath, [BIN, "worker"], {
      env: { ...process.env, NODE_ENV: "production", LOG_LEVEL: "warn", ...env },
    }),
  );
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (out += d));
  const exited = new Promise<number | string>((resolve) =>
    child.on("exit", (code, signal) => resolve(code ?? signal ?? -1)),
  );
  const deadline = Date.now() + timeoutMs;
  while (!/worker \d+ taking runs/.test(out)) {
    if (child.exitCode !== null) throw new Error(`worker exited early:\n${out}`);
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`worker did not start:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, output: () => out, exited };
}

/** Where CLI processes of one test file keep their data: a fresh DATA_DIR, and a fresh database on PostgreSQL. */
export interface CliEnvironment {
  env: Record<string, string>;
  dir: string;
  dispose(): Promise<void>;
}

export async function cliEnvironment(backend: Backend, prefix: string): Promise<CliEnvironment> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  const db = backend.name === "postgres" ? await createTestDatabase(backend) : undefined;
  await db?.database.close(); // the CLI opens its own connections
  return {
    env: { DATA_DIR: dir, DATABASE_URL: db?.url ?? "" },
    dir,
    async dispose() {
      await db?.dispose().catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** One GraphQL request over HTTP with an API key; throws on GraphQL errors. */
export async function gql<T = Record<string, any>>(
  url: string,
  apiKey: string,
  query: string,
  variables?: object,
): Promise<T> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": apiKey },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data: T; errors?: unknown };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}
