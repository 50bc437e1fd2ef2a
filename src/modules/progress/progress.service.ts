import { badInput, notFound } from "../../errors.js";
import { isTerminal, type ScenarioState } from "../../lifecycle/states.js";
import type { ProgressEvent } from "../../pubsub/pubsub.js";
import type { AnalysisService } from "../analysis/analysis.service.js";
import type { ServiceDeps } from "../deps.js";
import type { RunService } from "../run/run.service.js";
import type { ScenarioService } from "../scenario/scenario.service.js";

/**
 * Keeps a subscriber's view monotone: per scenario and run, a percentage never
 * goes back (state changes carry the highest seen), a stale progress sample is
 * dropped, and nothing follows a terminal event. Other tenants' events never pass.
 */
function monotone(tenantId: string) {
  const last = new Map<string, { runId: string | null; pct: number; state: ScenarioState }>();
  return (event: ProgressEvent): ProgressEvent | undefined => {
    if (event.tenantId !== tenantId) return undefined;
    const prev = last.get(event.scenarioId);
    let out = event;
    if (prev && prev.runId === event.runId) {
      if (isTerminal(prev.state)) return undefined;
      if (event.progressPercentage < prev.pct) {
        if (event.state === prev.state) return undefined;
        out = { ...event, progressPercentage: prev.pct };
      }
    }
    last.set(event.scenarioId, { runId: out.runId, pct: out.progressPercentage, state: out.state });
    return out;
  };
}

async function* stream(
  first: ProgressEvent[],
  source: AsyncIterator<ProgressEvent>,
  pending: Promise<IteratorResult<ProgressEvent>>,
  pass: (e: ProgressEvent) => ProgressEvent | undefined,
) {
  try {
    for (const event of first) {
      const out = pass(event);
      if (out) yield out;
    }
    for (let next = await pending; !next.done; next = await source.next()) {
      const out = pass(next.value);
      if (out) yield out;
    }
  } finally {
    await source.return?.();
  }
}

export class ProgressService {
  constructor(
    private readonly deps: ServiceDeps,
    private readonly scenarios: ScenarioService,
    private readonly analyses: AnalysisService,
    private readonly runs: RunService,
  ) {}

  /**
   * Progress of one scenario or of every scenario of an analysis: the current
   * state first, then live events. Listens before reading the current state so
   * that nothing in between is lost.
   */
  async subscribe(args: {
    scenarioId?: string | null;
    analysisId?: string | null;
  }): Promise<AsyncIterable<ProgressEvent>> {
    const { scenarioId, analysisId } = args;
    if (!scenarioId === !analysisId) {
      throw badInput("Give exactly one of scenarioId and analysisId", [
        {
          path: scenarioId ? "analysisId" : "scenarioId",
          message: "exactly one of scenarioId and analysisId",
        },
      ]);
    }
    if (scenarioId) {
      const scenario = await this.scenarios.get(scenarioId);
      if (!scenario || scenario.isDeleted) throw notFound("Scenario", scenarioId);
    } else {
      await this.analyses.require(analysisId!);
    }
    const source = scenarioId
      ? this.deps.runtime.pubsub.subscribe("scenario-progress", scenarioId)
      : this.deps.runtime.pubsub.subscribe("analysis-progress", analysisId!);
    const iterator = source[Symbol.asyncIterator]();
    const pending = iterator.next(); // starts listening now
    const current = scenarioId
      ? [await this.scenarios.reload(scenarioId)]
      : await this.scenarios.listLive(analysisId!);
    return stream(
      current.map((s) => this.runs.snapshot(s)),
      iterator,
      pending,
      monotone(this.deps.principal.tenantId),
    );
  }
}
