/**
 * Attack latency benchmark: does a small query stay fast while another client
 * repeats an attack the service refuses?
 *
 * Black box: starts `node bin/scenariolab.js serve` with NODE_ENV=production
 * and default limits except the per-key and per-address request budgets,
 * lifted so that the victim's 200 requests a second (many samples for the
 * percentiles) are not refused themselves; the attacks are refused by the
 * operation limits and the failed-authentication budget, which stay at their
 * defaults. A fresh data directory (embedded database; the demo tenant's 3
 * scenarios). Two clients on this machine:
 *   victim:   one keep-alive HTTP connection from 127.0.0.1 with the demo key,
 *             N (1000) sequential requests of
 *             query($id: ID!) { scenario(id: $id) { id name state } }
 *   attacker: from 127.0.0.2 (its own address budget) with its own API key,
 *             ATTACKERS (4) request loops without pause, for as long as the
 *             victim's phase lasts.
 * Phases: idle (no attacker); then one phase per attack:
 *   depth:   the 15-level scenarios → analysis → scenarios … query, first: 100
 *   aliases: 500 aliases of effectiveModel on one scenario
 *   keys:    wrong API keys (UNAUTHENTICATED, then RATE_LIMITED for the address)
 * Then a second service with depth and cost limits lifted, so that only the
 * time budget (GRAPHQL_TIMEOUT_MS=TIME_BUDGET_MS, 250) stops the 6-level nested
 * query (2.4 s before any limit; first: 3, the same rows as first: 100 on the
 * demo's 3 scenarios), sent by SLOW_ATTACKERS (1) loops: idle vs meanwhile.
 * Latency = performance.now() around each request, client included. Target:
 * victim p99 under attack / p99 idle <= 2.
 *
 * Usage: npm run bench:attack   (env REQUESTS=1000 WARMUP=100 ATTACKERS=4 SLOW_ATTACKERS=1 TIME_BUDGET_MS=250;
 * BENCH_DATABASE_URL=postgres://…/<empty database> runs service 2 on PostgreSQL;
 * PHASES=refused,time runs service 1 ("refused"), service 2 ("time") or both)
 * Last line: {"bench":"attack-latency","phases":{…},"ratios":{…}}
 */
import http from "node:http";
import os from "node:os";
import {
  GqlClient,
  envInt,
  installSafetyNet,
  machineLine,
  runBench,
  startService,
  summarize,
  type Service,
  type Summary,
} from "./lib.js";

const N = envInt("REQUESTS", 1000, 10, 20_000);
const WARMUP = envInt("WARMUP", 100, 0, 10_000);
const ATTACKERS = envInt("ATTACKERS", 4, 1, 64);
/** Loops sending the slow query that only the time budget stops (one: a long request at a time). */
const SLOW_ATTACKERS = envInt("SLOW_ATTACKERS", 1, 1, 64);
const TIME_BUDGET_MS = envInt("TIME_BUDGET_MS", 250, 1, 60_000);
const PHASES = new Set((process.env.PHASES ?? "refused,time").split(",").map((p) => p.trim()));
const PHASE_LIMIT_MS = 60_000;
const VICTIM_QUERY = `query($id: ID!) { scenario(id: $id) { id name state } }`;
const ATTACKER_ADDRESS = "127.0.0.2";
/** The victim alone would spend the default per-key and per-address budgets in a few seconds. */
const VICTIM_BUDGETS = { RATE_LIMIT_REQUESTS_PER_MINUTE: "0", RATE_LIMIT_ADDRESS_REQUESTS_PER_MINUTE: "0" };

installSafetyNet(400_000);

/** scenarios → analysis → scenarios … `levels` deep, `first` a page (the attack: 100). */
function nested(levels: number, first = 100): string {
  let inner = "id";
  for (let i = 0; i < levels; i++)
    inner = `scenarios(first: ${first}) { edges { node { analysis { ${inner} } } } }`;
  return `{ ${inner} }`;
}

interface Attack {
  name: string;
  /** One attacking request's body and key. */
  request(i: number): { body: { query: string; variables?: Record<string, unknown> }; key: string };
}

/** One POST from the attacker's address; resolves with the error codes of the answer. */
function attackOnce(url: URL, agent: http.Agent, key: string, body: unknown): Promise<string> {
  const payload = JSON.stringify(body);
  return new Promise((resolve) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: "POST",
        agent,
        localAddress: ATTACKER_ADDRESS,
        headers: { "content-type": "application/json", "x-api-key": key },
        timeout: 30_000,
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (d: string) => (text += d));
        res.on("end", () => {
          try {
            const parsed = JSON.parse(text) as {
              errors?: { extensions?: { code?: string; limit?: string } }[];
            };
            const first = parsed.errors?.[0]?.extensions;
            resolve(first ? [first.code, first.limit].filter(Boolean).join(":") : `ok ${res.statusCode}`);
          } catch {
            resolve(`HTTP ${res.statusCode}`);
          }
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", (err) => resolve(`error ${err.message}`));
    req.end(payload);
  });
}

interface PhaseResult {
  victim: Summary;
  /** Error answers the victim got, by message (none expected). */
  victimErrors: Record<string, number>;
  seconds: number;
  attacker?: { requests: number; perSecond: number; answers: Record<string, number>; latency: Summary };
}

/** N victim requests, with the attack (if any) running alongside until they are done. */
async function phase(
  service: Service,
  victim: GqlClient,
  ids: string[],
  attack?: Attack,
  loopCount = ATTACKERS,
): Promise<PhaseResult> {
  const url = new URL(service.url);
  let running = true;
  const answers: Record<string, number> = {};
  const attackLatency: number[] = [];
  const agent = new http.Agent({ keepAlive: true, maxSockets: loopCount });
  let sent = 0;
  const loops = attack
    ? Array.from({ length: loopCount }, async () => {
        while (running) {
          const { body, key } = attack.request(sent++);
          const t0 = performance.now();
          const code = await attackOnce(url, agent, key, body);
          attackLatency.push(performance.now() - t0);
          answers[code] = (answers[code] ?? 0) + 1;
        }
      })
    : [];
  // Let the attack reach full speed before measuring.
  if (attack) await new Promise((r) => setTimeout(r, 500));
  const latencies: number[] = [];
  const victimErrors: Record<string, number> = {};
  const t0 = performance.now();
  for (let i = 0; i < N && performance.now() - t0 < PHASE_LIMIT_MS; i++) {
    const id = ids[i % ids.length];
    const start = performance.now();
    try {
      const data = await victim.request<{ scenario: { id: string } | null }>(VICTIM_QUERY, { id });
      if (data.scenario?.id !== id) throw new Error(`unexpected answer for ${id}: ${JSON.stringify(data)}`);
    } catch (err) {
      // An error answer (e.g. the victim's own query over the time budget) counts, with its latency.
      const message = (err as Error).message.replace(/^GraphQL error \(HTTP \d+\): /, "");
      victimErrors[message] = (victimErrors[message] ?? 0) + 1;
    }
    latencies.push(performance.now() - start);
  }
  const seconds = (performance.now() - t0) / 1000;
  running = false;
  await Promise.all(loops);
  agent.destroy();
  const result: PhaseResult = { victim: summarize(latencies), victimErrors, seconds };
  if (attack) {
    const total = Object.values(answers).reduce((a, b) => a + b, 0);
    result.attacker = {
      requests: total,
      perSecond: Math.round(total / seconds),
      answers,
      latency: summarize(attackLatency),
    };
  }
  return result;
}

const fmt = (s: Summary) =>
  `p50 ${s.p50.toFixed(2)} / p90 ${s.p90.toFixed(2)} / p99 ${s.p99.toFixed(2)} / max ${s.max.toFixed(2)} ms (n=${s.n})`;

function report(name: string, r: PhaseResult, idle?: PhaseResult): void {
  const ratio = idle ? ` — p99 ratio ${(r.victim.p99 / idle.victim.p99).toFixed(2)}` : "";
  const errors = Object.keys(r.victimErrors).length
    ? `, victim errors ${JSON.stringify(r.victimErrors)}`
    : "";
  console.log(`${name}: victim ${fmt(r.victim)} in ${r.seconds.toFixed(1)} s${ratio}${errors}`);
  if (r.attacker)
    console.log(
      `${name}: attacker ${r.attacker.requests} requests (${r.attacker.perSecond}/s), answers ${JSON.stringify(r.attacker.answers)}, answer latency ${fmt(r.attacker.latency)}`,
    );
}

/** A setup request, tried again when a loaded machine makes it outlive service 2's small time budget. */
async function setupRequest<T>(victim: GqlClient, query: string, vars?: Record<string, unknown>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await victim.request<T>(query, vars);
    } catch (err) {
      if (attempt >= 5 || !(err as Error).message.includes("time budget")) throw err;
    }
  }
}

async function demoSetup(
  service: Service,
): Promise<{ victim: GqlClient; ids: string[]; attackerKey: string }> {
  const victim = new GqlClient(service.url, service.apiKey);
  const { scenarios } = await setupRequest<{ scenarios: { edges: { node: { id: string } }[] } }>(
    victim,
    `{ scenarios { edges { node { id } } } }`,
  );
  const ids = scenarios.edges.map((e) => e.node.id);
  // The attacker is another user of the same tenant: a VIEWER key is enough for every attack.
  const { createApiKey } = await setupRequest<{ createApiKey: { apiKey: string } }>(
    victim,
    `mutation { createApiKey(input: { email: "attacker@example.test", role: VIEWER }) { apiKey } }`,
  );
  return { victim, ids, attackerKey: createApiKey.apiKey };
}

/** Warm-up requests; one over the time budget on a loaded machine does not matter. */
async function warmUp(victim: GqlClient, ids: string[]): Promise<void> {
  for (let i = 0; i < WARMUP; i++)
    await setupRequest(victim, VICTIM_QUERY, { id: ids[i % ids.length] }).catch(() => undefined);
}

async function main(): Promise<Record<string, unknown>> {
  console.log(machineLine());
  console.log(
    `victim: 1 sequential keep-alive connection from 127.0.0.1; attacker: ${ATTACKERS} loops from ${ATTACKER_ADDRESS}; all clients share the machine with the service`,
  );
  const phases: Record<string, PhaseResult> = {};
  const ratios: Record<string, number> = {};
  const ratio = (a: PhaseResult, idle: PhaseResult) =>
    Math.round((a.victim.p99 / idle.victim.p99) * 100) / 100;

  // 1. Production defaults: the attacks are refused before they run.
  let service: Service | undefined;
  let victim: GqlClient | undefined;
  if (PHASES.has("refused")) {
    service = await startService({
      concurrency: 1,
      env: { NODE_ENV: "production", ...VICTIM_BUDGETS },
    });
    try {
      console.log(
        `service 1: ${service.url} (NODE_ENV=production, default limits but ${JSON.stringify(VICTIM_BUDGETS)})`,
      );
      const setup = await demoSetup(service);
      victim = setup.victim;
      const { ids, attackerKey } = setup;
      const aliases = Array.from({ length: 500 }, (_, i) => `m${i}: effectiveModel`).join(" ");
      const attacks: Attack[] = [
        { name: "depth", request: () => ({ body: { query: nested(15) }, key: attackerKey }) },
        {
          name: "aliases",
          request: () => ({
            body: {
              query: `query($id: ID!) { scenario(id: $id) { ${aliases} } }`,
              variables: { id: ids[0] },
            },
            key: attackerKey,
          }),
        },
        {
          name: "keys",
          request: (i) => ({ body: { query: `{ me { email } }` }, key: `slk_guess_${i}_${Math.random()}` }),
        },
      ];
      await warmUp(victim, ids);
      phases.idle = await phase(service, victim, ids);
      report("idle", phases.idle);
      for (const attack of attacks) {
        phases[attack.name] = await phase(service, victim, ids, attack);
        report(attack.name, phases[attack.name], phases.idle);
        ratios[attack.name] = ratio(phases[attack.name], phases.idle);
      }
    } finally {
      victim?.close();
      await service?.stop();
    }
  }

  // 2. Depth and cost limits lifted: only the time budget stops the 6-level query.
  if (PHASES.has("time")) {
    service = await startService({
      concurrency: 1,
      env: {
        NODE_ENV: "production",
        ...VICTIM_BUDGETS,
        GRAPHQL_MAX_DEPTH: "1000",
        GRAPHQL_MAX_COST: "1000000000",
        GRAPHQL_TIMEOUT_MS: String(TIME_BUDGET_MS),
        // BENCH_DATABASE_URL: an empty PostgreSQL database for service 2 instead of the embedded one.
        ...(process.env.BENCH_DATABASE_URL ? { DATABASE_URL: process.env.BENCH_DATABASE_URL } : {}),
      },
    });
    victim = undefined;
    try {
      console.log(
        `service 2: ${service.url} (depth and cost limits lifted, GRAPHQL_TIMEOUT_MS=${TIME_BUDGET_MS}, ${process.env.BENCH_DATABASE_URL ? "PostgreSQL" : "embedded PGlite"}); ${SLOW_ATTACKERS} attacker loop(s)`,
      );
      const setup = await demoSetup(service);
      victim = setup.victim;
      const { ids, attackerKey } = setup;
      await warmUp(victim, ids);
      phases.idle2 = await phase(service, victim, ids);
      report("idle (service 2)", phases.idle2);
      phases.timeBudget = await phase(
        service,
        victim,
        ids,
        {
          name: "time budget",
          // first: 3 reads the same rows as first: 100 (the demo has 3 scenarios) within the lifted cost limit.
          request: () => ({ body: { query: nested(6, 3) }, key: attackerKey }),
        },
        SLOW_ATTACKERS,
      );
      report("time budget (6 levels)", phases.timeBudget, phases.idle2);
      ratios.timeBudget = ratio(phases.timeBudget, phases.idle2);
    } catch (err) {
      console.log(`service 2 output (last lines):\n${service.output().slice(-3000)}`);
      throw err;
    } finally {
      victim?.close();
      await service?.stop();
    }
  }

  const worst = Math.max(0, ...Object.values(ratios));
  console.log(
    `load average at the end: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
  );
  console.log(
    `p99 ratios under attack / idle: ${JSON.stringify(ratios)} (target <= 2: ${worst <= 2 ? "met" : "NOT met"})`,
  );
  const pick = (r: PhaseResult) => ({
    p50: r.victim.p50,
    p99: r.victim.p99,
    max: r.victim.max,
    ...(Object.keys(r.victimErrors).length ? { victimErrors: r.victimErrors } : {}),
    ...(r.attacker ? { attackerPerSecond: r.attacker.perSecond, attackerAnswers: r.attacker.answers } : {}),
  });
  return {
    bench: "attack-latency",
    requests: N,
    attackers: ATTACKERS,
    phases: Object.fromEntries(Object.entries(phases).map(([k, v]) => [k, pick(v)])),
    ratios,
  };
}

runBench("attack", main);
