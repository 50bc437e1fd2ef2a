import { likeLiteral } from "../../db/like.js";
import { isDeepStrictEqual } from "node:util";
import { badInput, conflict, invalidState, notFound } from "../../errors.js";
import { importDefinition, type ModelFormat, type ModelSource } from "../../import/index.js";
import {
  checkBounds,
  knownKeysOnly,
  leverIssues,
  readLevers,
  validateModel,
  type ModelBounds,
  type QuodsiModel,
} from "../../simulation/index.js";
import type { Prisma } from "../../generated/prisma/client.js";
import { paginate } from "../common/pagination.js";
import { revalidateScenarios } from "../scenario/effective-model.js";
import { ACTIVE_STATES, type ServiceDeps } from "../deps.js";
import type { CreateModelInput, ModelsArgs, UpdateModelInput } from "./model.input.js";
import { toModel, toModelLever, type DefinitionWarning, type Model, type ModelLever } from "./model.type.js";

/**
 * Imports a definition given in `format` (detected when absent: Quodsi JSON,
 * clean or legacy, or a draw.io document; see src/import), then validates the
 * clean result, and that it stays within the service's bounds (runTime,
 * replications, generator maxEntities) and has well-formed levers. Every
 * problem is reported with its path under `definition`, pointing into what
 * was given (a draw.io cell for draw.io). Returns the definition to store:
 * the known keys of the wire format only (knownKeysOnly), with a warning for
 * each key dropped, and where it came from.
 */
export function parseDefinition(
  definition: unknown,
  bounds: ModelBounds,
  field = "definition",
  format?: ModelFormat,
): {
  model: QuodsiModel;
  stored: Prisma.InputJsonValue;
  source: ModelSource;
  warnings: DefinitionWarning[];
} {
  const at = (path: string) => (path ? `${field}.${path}` : field);
  const imported = importDefinition(definition, format);
  if (!imported.ok)
    throw badInput(
      "The model definition could not be imported",
      imported.issues.map((issue) => ({ path: at(issue.path), message: issue.message })),
    );
  const { locate, source } = imported.value;
  const clean = imported.value.definition;
  const result = validateModel(clean);
  const issues = result.ok ? [...checkBounds(result.value, bounds), ...leverIssues(clean)] : result.issues;
  if (!result.ok || issues.length) {
    throw badInput(
      "The model definition is invalid",
      issues.map((issue) => ({ path: at(locate(issue.path)), message: issue.message })),
    );
  }
  const known = knownKeysOnly(clean);
  return {
    model: result.value,
    stored: known.value as Prisma.InputJsonValue,
    source,
    // Import warnings already point into what was given; dropped keys are located there.
    warnings: [
      ...imported.value.warnings,
      ...known.warnings.map((w) => ({ path: locate(w.path), message: w.message })),
    ],
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
    const { stored, source, warnings } = parseDefinition(
      input.definition,
      this.deps.runtime.limits.model,
      "definition",
      input.format,
    );
    const row = await this.deps.db.model.create({
      data: {
        tenantId: this.deps.principal.tenantId,
        name: input.name.trim(),
        description: input.description ?? null,
        definition: stored,
        source: { ...source },
        createdByUserId: this.deps.principal.userId,
      },
    });
    return { ...toModel(row), definitionWarnings: warnings };
  }

  /**
   * The model's levers, each mapped to its override. The stored definition
   * was valid when stored; should it no longer be (an engine that became
   * stricter), there is nothing to map against and the list is empty.
   */
  levers(model: Model): ModelLever[] {
    const valid = validateModel(model.definition);
    return valid.ok ? readLevers(model.definition, valid.value).map(toModelLever) : [];
  }

  async update(id: string, input: UpdateModelInput): Promise<Model> {
    const current = await this.require(id);
    const parsed =
      input.definition !== undefined
        ? parseDefinition(input.definition, this.deps.runtime.limits.model, "definition", input.format)
        : undefined;
    // jsonb does not keep key order, so compare structurally (what would be stored).
    const definitionChanged = parsed !== undefined && !isDeepStrictEqual(parsed.stored, current.definition);
    const data = {
      ...(input.name !== undefined ? { name: input.name.trim() } : {}),
      ...(input.description !== undefined ? { description: input.description } : {}),
      ...(definitionChanged
        ? { definition: parsed.stored, source: { ...parsed.source }, version: { increment: 1 } }
        : {}),
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
