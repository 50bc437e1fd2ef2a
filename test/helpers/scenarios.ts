import type { Client } from "graphql-ws";
import { print } from "graphql";
import { expect } from "vitest";
import {
  CreateAnalysisDocument,
  CreateModelDocument,
  CreateScenarioDocument,
  ScenarioProgressDocument,
  ScenarioRunsDocument,
  type ScenarioProgressSubscription,
} from "../generated/graphql.js";
import type { TestServer } from "./server.js";

export type ProgressEvent = ScenarioProgressSubscription["scenarioProgress"];

/** A model, an analysis and a scenario over `definition`; returns their ids. */
export async function createScenario(
  t: TestServer,
  apiKey: string,
  definition: unknown,
  opts: { reps?: number; name?: string } = {},
) {
  const name = opts.name ?? `S ${Math.random().toString(36).slice(2, 8)}`;
  const model = await t.gql(apiKey, CreateModelDocument, { input: { name: `Model ${name}`, definition } });
  expect(model.errors).toBeUndefined();
  const modelId = model.data!.createModel.id;
  const analysisId = (
    await t.gql(apiKey, CreateAnalysisDocument, { input: { modelId, name: `Analysis ${name}` } })
  ).data!.createAnalysis.id;
  const created = await t.gql(apiKey, CreateScenarioDocument, {
    input: { analysisId, name, reps: opts.reps },
  });
  expect(created.errors).toBeUndefined();
  return { modelId, analysisId, scenarioId: created.data!.createScenario.id };
}

/** Polls the scenario until it is in one of `states`. */
export async function waitForState(
  t: TestServer,
  apiKey: string,
  id: string,
  states: string[],
  timeoutMs = 30_000,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await t.gql(apiKey, ScenarioRunsDocument, { id });
    const scenario = res.data?.scenario;
    if (scenario && states.includes(scenario.state)) return scenario;
    if (Date.now() > deadline)
      throw new Error(`scenario ${id} still ${scenario?.state} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface Recorder {
  events: ProgressEvent[];
  errors: unknown[];
  /** Resolves once an event matches (or rejects after the timeout). */
  until(match: (e: ProgressEvent) => boolean, timeoutMs?: number): Promise<ProgressEvent>;
  stop(): void;
}

/** Subscribes to scenarioProgress and records every event. */
export function record(client: Client, variables: { scenarioId?: string; analysisId?: string }): Recorder {
  const events: ProgressEvent[] = [];
  const errors: unknown[] = [];
  const waiters: { match: (e: ProgressEvent) => boolean; resolve: (e: ProgressEvent) => void }[] = [];
  const stop = client.subscribe<ScenarioProgressSubscription>(
    { query: print(ScenarioProgressDocument), variables },
    {
      next: (msg) => {
        if (msg.errors) errors.push(...msg.errors);
        const event = msg.data?.scenarioProgress;
        if (!event) return;
        events.push(event);
        for (const w of [...waiters]) if (w.match(event)) w.resolve(event);
      },
      error: (err) => errors.push(err),
      complete: () => undefined,
    },
  );
  return {
    events,
    errors,
    stop,
    until(match, timeoutMs = 30_000) {
      const found = events.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(
              new Error(
                `no matching event in ${timeoutMs} ms; got ${JSON.stringify(events.map((e) => [e.state, e.progressPercentage]))} errors ${JSON.stringify(errors)}`,
              ),
            ),
          timeoutMs,
        );
        waiters.push({ match, resolve: (e) => (clearTimeout(timer), resolve(e)) });
      });
    },
  };
}

export const isTerminal = (e: { state: string }) =>
  ["RAN_SUCCESS", "RAN_WITH_ERRORS", "CANCELLED"].includes(e.state);
