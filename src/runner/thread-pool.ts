import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import {
  InvalidModelError,
  abortError,
  checkRunnable,
  summarize,
  validateModel,
  type QuodsiModel,
  type ReplicationResult,
  type SimulateOptions,
  type SimulationSummary,
  type TimePeriod,
} from "../simulation/index.js";

// ------------------------------------------------------------------ protocol

/**
 * Main thread -> worker. A run's model crosses to a worker with the first of
 * its replications that worker gets (`model`); later ones name it by `runKey`,
 * so each worker clones, validates and compiles a model once per run, not once
 * per replication. `forget` drops it when the run has settled.
 */
export type WorkerCommand =
  | {
      type: "run";
      jobId: number;
      runKey: number;
      model?: QuodsiModel;
      repIndex: number;
      replications: number;
      seed: number;
      timePeriod: TimePeriod;
    }
  | { type: "cancel"; jobId: number }
  | { type: "forget"; runKey: number };

export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  /** Validation issues of an InvalidModelError. */
  issues?: Array<{ path: string; message: string }>;
}

/** Worker -> main thread. */
export type WorkerReply =
  | { type: "ready" }
  | { type: "progress"; jobId: number; fraction: number }
  | { type: "done"; jobId: number; result: ReplicationResult }
  | { type: "error"; jobId: number; error: SerializedError };

export type WorkerStatus = "idle" | "running" | "terminating";

/** Rebuild an Error from its serialised form (name, message, stack and validation issues survive). */
export function deserializeError(e: SerializedError): Error {
  const err: Error & { issues?: SerializedError["issues"] } =
    e.issues !== undefined ? new InvalidModelError(e.issues) : new Error(e.message);
  err.name = e.name;
  err.message = e.message;
  if (e.stack) err.stack = e.stack;
  return err;
}

// ---------------------------------------------------------------------- pool

export interface ThreadPoolOptions {
  /** Number of worker threads (default: number of CPU cores). */
  size?: number;
  /** Worker module (default: ./simulation.worker.ts or .js beside this file). */
  workerUrl?: URL;
  /** After a cancel, how long a worker may take to stop before it is terminated and replaced. */
  cancelGraceMs?: number;
}

interface Job {
  id: number;
  run: RunState;
  repIndex: number;
  fraction: number;
  worker?: PoolWorker;
}

interface RunState {
  key: number;
  model: QuodsiModel;
  /** Workers that were sent the model (and keep it until told to forget). */
  holders: Set<PoolWorker>;
  opts: SimulateOptions;
  results: ReplicationResult[];
  completed: number;
  inFlight: Set<Job>;
  settled: boolean;
  aborted: boolean;
  resolve: (s: SimulationSummary) => void;
  reject: (e: Error) => void;
  cleanup: () => void;
  lastProgress: number;
}

interface PoolWorker {
  worker: Worker;
  status: WorkerStatus;
  /** Module loaded and listening (it sent "ready"). */
  ready: boolean;
  job?: Job;
  crashError?: Error;
  cancelTimer?: NodeJS.Timeout;
}

function defaultWorkerUrl(): URL {
  const ext = import.meta.url.endsWith(".ts") ? "ts" : "js";
  return new URL(`./simulation.worker.${ext}`, import.meta.url);
}

const isTypeScript = (url: URL) => /\.(c|m)?ts$/.test(url.pathname);

/** URL of tsx's ESM API module (its "import" export: the CommonJS build cannot be imported). */
function tsxEsmApiUrl(): string {
  const require = createRequire(import.meta.url);
  const pkgPath = require.resolve("tsx/package.json");
  const pkg = JSON.parse(readFileSync(pkgPath, "utf8")) as {
    exports: Record<string, { import?: { default?: string } }>;
  };
  const rel = pkg.exports["./esm/api"]?.import?.default;
  if (!rel) throw new Error("tsx/esm/api has no ESM entry; cannot start a TypeScript worker");
  return new URL(rel, pathToFileURL(pkgPath)).href;
}

/**
 * Start a worker on `url`. A TypeScript worker (running under tsx or vitest)
 * gets a tiny bootstrap that registers tsx's ESM hooks inside the worker and
 * then imports the module: on Node 20, `execArgv: ["--import", "tsx"]` does
 * not apply the hooks to a worker's entry file ("Unknown file extension .ts").
 * A compiled worker (dist/) maps its stack traces to src/ when this process
 * does (bin/scenariolab.js turns source maps on at run time, which a worker
 * does not inherit the way it inherits the command line's flags).
 */
function startWorker(url: URL): Worker {
  if (!isTypeScript(url))
    return new Worker(
      url,
      process.sourceMapsEnabled ? { execArgv: [...process.execArgv, "--enable-source-maps"] } : undefined,
    );
  const tsxApi = tsxEsmApiUrl();
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(bootstrap, { eval: true });
}

/**
 * A pool of worker threads running simulation replications. Replications of
 * a run are spread over the workers; the summary is identical to the
 * sequential `simulate` (same seed, same numbers, reps ordered by index).
 *
 * Why not Piscina (weighed for 5.3.2): same throughput and the same results,
 * but aborting a running task terminates its thread, so after a cancel the
 * next run waited 1.3 to 1.8 s for a fresh worker (tsx start-up, cold JIT)
 * against about 20 ms here, where the engine stops cooperatively and the
 * thread is reused; and a task queue cannot address the worker that holds a
 * run's compiled model.
 */
export class ThreadPool {
  readonly size: number;
  private readonly workerUrl: URL;
  private readonly cancelGraceMs: number;
  private readonly workers: PoolWorker[] = [];
  private readonly queue: Job[] = [];
  private readonly jobs = new Map<number, Job>();
  private nextJobId = 1;
  private nextRunKey = 1;
  private modelsSent = 0;
  private closed = false;
  /** Workers that died before becoming ready, in a row: a broken worker module must not respawn forever. */
  private failedStarts = 0;
  private static readonly MAX_FAILED_STARTS = 3;

  constructor(opts: ThreadPoolOptions = {}) {
    this.size = Math.max(1, opts.size ?? os.availableParallelism?.() ?? os.cpus().length);
    this.workerUrl = opts.workerUrl ?? defaultWorkerUrl();
    this.cancelGraceMs = opts.cancelGraceMs ?? 1000;
    for (let i = 0; i < this.size; i++) this.workers.push(this.spawn());
  }

  /** How many times a model crossed to a worker: at most once per run and worker. */
  get modelTransfers(): number {
    return this.modelsSent;
  }

  /** Worker statuses (for health checks and tests). */
  get statuses(): WorkerStatus[] {
    return this.workers.map((w) => w.status);
  }

  /**
   * Run `opts.replications` replications of the model across the workers and
   * summarise them. Progress: completed replications plus the summed
   * fraction of those in flight (kept below 1). Aborting `opts.signal`
   * cancels queued and running replications; the promise then rejects with
   * an Error named "AbortError" once the workers have stopped.
   */
  runReplications(model: QuodsiModel, opts: SimulateOptions): Promise<SimulationSummary> {
    return new Promise<SimulationSummary>((resolve, reject) => {
      if (this.closed) return reject(new Error("thread pool is closed"));
      if (this.workers.length === 0)
        return reject(new Error("thread pool has no working worker thread left"));
      if (opts.signal?.aborted) return reject(abortError(opts.signal));
      const v = validateModel(model);
      if (!v.ok) return reject(new InvalidModelError(v.issues));
      const issues = checkRunnable(v.value);
      if (issues.length) return reject(new InvalidModelError(issues));
      if (!(Number.isInteger(opts.replications) && opts.replications >= 1))
        return reject(new RangeError("replications must be an integer >= 1"));

      const onAbort = () => this.abortRun(run);
      const run: RunState = {
        // Stryker disable next-line UpdateOperator: run keys only need to be distinct
        key: this.nextRunKey++,
        model,
        holders: new Set(),
        opts,
        results: [],
        completed: 0,
        inFlight: new Set(),
        settled: false,
        aborted: false,
        resolve,
        reject,
        cleanup: () => opts.signal?.removeEventListener("abort", onAbort),
        lastProgress: 0,
      };
      // Stryker disable next-line ObjectLiteral,BooleanLiteral: a signal aborts once, and `cleanup` removes the listener
      opts.signal?.addEventListener("abort", onAbort, { once: true });
      for (let i = 0; i < opts.replications; i++) {
        // Stryker disable next-line UpdateOperator: job ids only need to be distinct
        const job: Job = { id: this.nextJobId++, run, repIndex: i, fraction: 0 };
        this.jobs.set(job.id, job);
        this.queue.push(job);
      }
      this.dispatch();
    });
  }

  /** Terminate every worker; runs still in progress reject. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const error = new Error("thread pool closed");
    for (const job of [...this.queue, ...[...this.jobs.values()]]) this.failRun(job.run, error);
    this.queue.length = 0;
    await Promise.all(
      this.workers.map((w) => {
        w.status = "terminating";
        // Stryker disable next-line CallExpression: a cancel timer firing after close terminates a terminated worker, which does nothing
        clearTimeout(w.cancelTimer);
        return w.worker.terminate();
      }),
    );
  }

  // ---------------------------------------------------------------- internals

  private spawn(): PoolWorker {
    const worker = startWorker(this.workerUrl);
    const pw: PoolWorker = { worker, status: "idle", ready: false };
    worker.on("message", (msg: WorkerReply) => this.onMessage(pw, msg));
    worker.on("error", (err) => {
      pw.crashError = err;
    });
    worker.on("exit", (code) => this.onExit(pw, code));
    return pw;
  }

  private dispatch(): void {
    for (const pw of this.workers) {
      if (this.queue.length === 0) return;
      // Only workers that announced "ready": a message posted before the module attached its listener could be lost.
      if (pw.status !== "idle" || !pw.ready) continue;
      const job = this.queue.shift()!;
      const { run } = job;
      job.worker = pw;
      pw.job = job;
      pw.status = "running";
      run.inFlight.add(job);
      const first = !run.holders.has(pw);
      if (first) {
        run.holders.add(pw);
        this.modelsSent++;
      }
      const cmd: WorkerCommand = {
        type: "run",
        jobId: job.id,
        runKey: run.key,
        ...(first ? { model: run.model } : {}),
        repIndex: job.repIndex,
        replications: run.opts.replications,
        seed: run.opts.seed,
        timePeriod: run.opts.timePeriod,
      };
      pw.worker.postMessage(cmd);
    }
  }

  private finishJob(pw: PoolWorker, job: Job): void {
    clearTimeout(pw.cancelTimer);
    pw.cancelTimer = undefined;
    pw.job = undefined;
    if (pw.status === "running") pw.status = "idle";
    job.run.inFlight.delete(job);
    this.jobs.delete(job.id);
  }

  private onMessage(pw: PoolWorker, msg: WorkerReply): void {
    if (msg.type === "ready") {
      pw.ready = true;
      this.failedStarts = 0;
      this.dispatch();
      return;
    }
    const job = this.jobs.get(msg.jobId);
    if (!job || pw.job !== job) return;
    const run = job.run;
    switch (msg.type) {
      case "progress":
        job.fraction = msg.fraction;
        this.emitProgress(run);
        return;
      case "done":
        this.finishJob(pw, job);
        run.results.push(msg.result);
        run.completed++;
        if (run.aborted) this.maybeSettleAbort(run);
        else if (run.completed === run.opts.replications) this.succeedRun(run);
        else this.emitProgress(run, true);
        break;
      case "error":
        this.finishJob(pw, job);
        if (run.aborted) this.maybeSettleAbort(run);
        else this.failRun(run, deserializeError(msg.error));
        break;
    }
    this.dispatch();
  }

  private onExit(pw: PoolWorker, code: number): void {
    const idx = this.workers.indexOf(pw);
    const job = pw.job;
    clearTimeout(pw.cancelTimer);
    if (pw.status === "terminating" && this.closed) return;
    if (!pw.ready) this.failedStarts++;
    // Unexpected exit (crash) or a worker terminated after ignoring a cancel: replace it,
    // unless workers keep dying before they start (broken module): then fail what is queued.
    if (idx >= 0 && !this.closed) {
      if (this.failedStarts < ThreadPool.MAX_FAILED_STARTS) this.workers[idx] = this.spawn();
      else {
        this.workers.splice(idx, 1);
        const err = new Error(
          `simulation workers fail to start (${this.failedStarts} in a row)` +
            (pw.crashError ? `: ${pw.crashError.message}` : ""),
          pw.crashError ? { cause: pw.crashError } : undefined,
        );
        err.name = "WorkerStartError";
        for (const q of this.queue.splice(0)) {
          this.jobs.delete(q.id);
          this.failRun(q.run, err);
        }
      }
    }
    if (job) {
      pw.status = "terminating";
      this.finishJob(pw, job);
      const run = job.run;
      if (run.aborted) this.maybeSettleAbort(run);
      else {
        const err = new Error(
          `simulation worker exited unexpectedly (exit code ${code}) while running replication ${job.repIndex}` +
            (pw.crashError ? `: ${pw.crashError.message}` : ""),
          pw.crashError ? { cause: pw.crashError } : undefined,
        );
        err.name = "WorkerCrashError";
        this.failRun(run, err);
      }
    }
    this.dispatch();
  }

  private emitProgress(run: RunState, force = false): void {
    const cb = run.opts.onProgress;
    if (!cb || run.settled) return;
    const now = performance.now();
    if (!force && now - run.lastProgress < 50) return;
    run.lastProgress = now;
    let f = 0;
    for (const j of run.inFlight) f += j.fraction;
    try {
      cb({
        completedReps: run.completed,
        totalReps: run.opts.replications,
        currentRepFraction: Math.min(f, 0.999),
      });
    } catch {
      // A failing progress listener must not break the run.
    }
  }

  /** Drop queued jobs of the run and ask workers to stop its running ones. */
  private cancelJobs(run: RunState): void {
    for (let i = this.queue.length - 1; i >= 0; i--) {
      if (this.queue[i].run === run) {
        this.jobs.delete(this.queue[i].id);
        this.queue.splice(i, 1);
      }
    }
    for (const job of run.inFlight) {
      const pw = job.worker!;
      const cmd: WorkerCommand = { type: "cancel", jobId: job.id };
      pw.worker.postMessage(cmd);
      clearTimeout(pw.cancelTimer);
      pw.cancelTimer = setTimeout(() => {
        // The worker did not stop in time: terminate; onExit replaces it.
        pw.status = "terminating";
        void pw.worker.terminate();
      }, this.cancelGraceMs);
    }
  }

  /** Workers drop the settled run's model (a worker that died took it with it). */
  private release(run: RunState): void {
    for (const pw of run.holders)
      if (this.workers.includes(pw) && pw.status !== "terminating")
        pw.worker.postMessage({ type: "forget", runKey: run.key } satisfies WorkerCommand);
    run.holders.clear();
  }

  private abortRun(run: RunState): void {
    if (run.settled || run.aborted) return;
    run.aborted = true;
    this.cancelJobs(run);
    this.maybeSettleAbort(run);
  }

  private maybeSettleAbort(run: RunState): void {
    if (run.settled || run.inFlight.size > 0) return;
    run.settled = true;
    run.cleanup();
    this.release(run);
    run.reject(abortError(run.opts.signal));
  }

  private succeedRun(run: RunState): void {
    if (run.settled) return;
    run.settled = true;
    run.cleanup();
    this.release(run);
    try {
      run.resolve(summarize(run.model, run.results, run.opts.timePeriod));
    } catch (e) {
      run.reject(e instanceof Error ? e : new Error(String(e)));
    }
  }

  private failRun(run: RunState, error: Error): void {
    if (run.settled) return;
    run.settled = true;
    run.cleanup();
    this.release(run);
    if (!run.aborted) {
      run.aborted = true;
      this.cancelJobs(run);
    }
    run.reject(error);
  }
}

/** Create a pool of `size` simulation worker threads. */
export function createThreadPool(opts?: ThreadPoolOptions): ThreadPool {
  return new ThreadPool(opts);
}
