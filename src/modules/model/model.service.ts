import { likeLiteral } from "../../db/like.js";
import { isDeepStrictEqual } from "node:util";
import { badInput, conflict, invalidState, notFound } from "../../errors.js";
import {
  checkBounds,
  knownKeysOnly,
  validateModel,
  type ModelBounds,
  type QuodsiModel,
} from "../../simulation/index.js";
import type { Prisma } from "../../generated/prisma/client.js";
import { paginate } from "../common/pagination.js";
import { revalidateScenarios } from "../scenario/effective-model.js";
import { ACTIVE_STATES, type ServiceDeps } from "../deps.js";
import type { CreateModelInput, ModelsArgs, UpdateModelInput } from "./model.input.js";
import { toModel, type DefinitionWarning, type Model } from "./model.type.js";

/**
 * Validates a wire-format definition, and that it stays within the service's
 * bounds (runTime, replications, generator maxEntities); every problem is
 * reported with its path under `definition`. Returns the definition to store:
 * the known keys of the wire format only (knownKeysOnly), with a warning for
 * each key dropped.
 */
export function parseDefinition(
  definition: unknown,
  bounds: ModelBounds,
  field = "definition",
): { model: QuodsiModel; stored: Prisma.InputJsonValue; warnings: DefinitionWarning[] } {
  // Validated as given (a legacy document is recognised by keys the clean format does not have).
  const result = validateModel(definition);
  const issues = result.ok ? checkBounds(result.value, bounds) : result.issues;
  if (!result.ok || issues.length) {
    throw badInput(
      "The model definition is invalid",
      issues.map((issue) => ({
        path: issue.path ? `${field}.${issue.path}` : field,
        message: issue.message,
      })),
    );
  }
  const known = knownKeysOnly(definition);
  return {
    model: result.value,
    stored: known.value as Prisma.InputJsonValue,
    warnings: known.warnings.map((w) => ({ path: w.path, message: w.message })),
  };
}

export class ModelService {
  constructor(private readonly deps: ServiceDeps) {}

  list(args: ModelsArgs) {
    const where: Prisma.ModelWhereInput = {
      isDeleted: false,
      ...(args.nameContains
        ? { name: { contains: likeLiteral(args.nameContains), mode: "insensitive" } }
        : {}),
    };
    return paginate(
      where,
      args,
      (a) => this.deps.db.model.findMany(a),
      (a) => this.deps.db.model.count(a),
      toModel,
    );
  }

  /** A live model of this tenant, or null. */
  async get(id: string): Promise<Model | null> {
    const row = await this.deps.loaders.model.load(id);
    return row && !row.isDeleted ? toModel(row) : null;
  }

  /** For relations: the model even when soft-deleted (its children are then deleted too). */
  async ref(id: string): Promise<Model> {
    const row = await this.deps.loaders.model.load(id);
    if (!row) throw notFound("Model", id);
    return toModel(row);
  }

  async require(id: string): Promise<Model> {
    const model = await this.get(id);
    if (!model) throw notFound("Model", id);
    return model;
  }

  async create(input: CreateModelInput): Promise<Model> {
    const { stored, warnings } = parseDefinition(input.definition, this.deps.runtime.limits.model);
    const row = await this.deps.db.model.create({
      data: {
        tenantId: this.deps.principal.tenantId,
        name: input.name.trim(),
        description: input.description ?? null,
        definition: stored,
        createdByUserId: this.deps.principal.userId,
      },
    });
    return { ...toModel(row), definitionWarnings: warnings };
  }

  async update(id: string, input: UpdateModelInput): Promise<Model> {
    const current = await this.require(id);
    const parsed =
      input.definition !== undefined
        ? parseDefinition(input.definition, this.deps.runtime.limits.model)
        : undefined;
    // jsonb does not keep key order, so compare structurally (what would be stored).
    const definitionChanged = parsed !== undefined && !isDeepStrictEqual(parsed.stored, current.definition);
    const data = {
      ...(input.name !== undefined ? { name: input.name.trim() } : {}),
      ...(input.description !== undefined ? { description: input.description } : {}),
      ...(definitionChanged ? { definition: parsed.stored, version: { increment: 1 } } : {}),
    };
    // Nothing changes (e.g. the same definition again, or one with unknown keys only): nothing to write.
    if (Object.keys(data).length === 0) return { ...current, definitionWarnings: parsed?.warnings ?? [] };
    const row = await this.deps.db.$transaction(async (tx) => {
      if (definitionChanged) {
        const active = await tx.scenario.count({
          where: { analysis: { modelId: id }, isDeleted: false, state: { in: ACTIVE_STATES } },
        });
        if (active > 0)
          throw invalidState(
            `Model ${id} has ${active} scenario(s) queued or running; its definition cannot change until they end`,
          );
      }
      // Optimistic concurrency on version: of two concurrent definition changes one wins.
      const { count } = await tx.model.updateMany({
        where: { id, version: current.version, isDeleted: false },
        data,
      });
      if (count === 0) throw conflict(`Model ${id} was changed concurrently; reload and retry`);
      if (definitionChanged) await revalidateScenarios(tx, id, parsed.stored);
      return tx.model.findFirstOrThrow({ where: { id } });
    });
    this.deps.loaders.model.clear(id);
    return { ...toModel(row), definitionWarnings: parsed?.warnings ?? [] };
  }

  /** Soft-deletes the model with its analyses and scenarios; refused while any of them runs. */
  async delete(id: string): Promise<boolean> {
    await this.require(id);
    return this.deps.db.$transaction(async (tx) => {
      const active = await tx.scenario.count({
        where: { analysis: { modelId: id }, isDeleted: false, state: { in: ACTIVE_STATES } },
      });
      if (active > 0)
        throw invalidState(`Model ${id} has ${active} scenario(s) queued or running; cancel them first`);
      const analyses = await tx.analysis.findMany({
        where: { modelId: id, isDeleted: false },
        select: { id: true },
      });
      const analysisIds = analyses.map((a) => a.id);
      await tx.scenario.updateMany({
        where: { analysisId: { in: analysisIds }, isDeleted: false },
        data: { isDeleted: true },
      });
      await tx.analysis.updateMany({ where: { id: { in: analysisIds } }, data: { isDeleted: true } });
      await tx.model.updateMany({ where: { id }, data: { isDeleted: true } });
      return true;
    });
  }
}
