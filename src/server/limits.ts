import { createHash } from "node:crypto";
import type { ApolloServerPlugin } from "@apollo/server";
import type { NextFunction, Request, RequestHandler, Response } from "express";
import { maxAliasesRule } from "@escape.tech/graphql-armor-max-aliases";
import { maxDepthRule } from "@escape.tech/graphql-armor-max-depth";
import { maxDirectivesRule } from "@escape.tech/graphql-armor-max-directives";
import {
  GraphQLError,
  NoSchemaIntrospectionCustomRule,
  getNamedType,
  getNullableType,
  isLeafType,
  isListType,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLSchema,
  type ValidationContext,
  type ValidationRule,
} from "graphql";
import { getComplexity, type ComplexityEstimator } from "graphql-query-complexity";
import type { OperationLimits } from "../config.js";
import { ErrorCode } from "../errors.js";
import { DEFAULT_PAGE_SIZE } from "../modules/common/pagination.js";
import type { Metrics } from "./metrics.js";

/** Which operation limit refused a request; also `extensions.limit` of the error and a metric label. */
export type Limit = "depth" | "aliases" | "directives" | "tokens" | "cost" | "time" | "response";

export type Transport = "http" | "ws";

/**
 * The error of a refused operation: BAD_USER_INPUT (the caller can shrink the
 * operation), `extensions.limit` names the limit, and HTTP answers 400.
 */
export function limitError(limit: Limit, message: string): GraphQLError {
  return new GraphQLError(message, {
    extensions: { code: ErrorCode.BAD_USER_INPUT, limit, http: { status: 400 } },
  });
}

/** Same error without the HTTP part, for graphql-ws (which would serialise it). */
function wsLimitError(error: GraphQLError): GraphQLError {
  const { http: _http, ...extensions } = error.extensions;
  return new GraphQLError(error.message, { nodes: error.nodes, extensions });
}

// ---------------------------------------------------------------------------
// Cost model

/**
 * Fields that cost far more than loading a row, with their own cost (before
 * their selection). The rest: 1 for a field that returns objects (batched by
 * the loaders), 10 for a paginated one (a query per parent), 0 for a leaf that
 * its parent's row already holds, 10 for a mutation's root field.
 */
const FIELD_COSTS: Record<string, number | ((args: Record<string, unknown>) => number)> = {
  // Base definition + every override, applied and validated on each call.
  // Weighed so that a few hundred copies of one (aliases) exceed the default maximum cost:
  // each may be megabytes of JSON (see also the response budget, response-budget.ts).
  "Scenario.effectiveModel": 50,
  "ScenarioRun.effectiveModel": 25,
  // Results are a large JSON summary per run.
  "Scenario.results": 30,
  "ScenarioRun.results": 30,
  // Up to INPUT_MAX_JSON_BYTES of stored JSON.
  "Model.definition": 50,
  // Re-checks every scenario of the model against its definition.
  "Model.scenariosNeedingAttention": 25,
  "Model.levers": 10,
  // Loads the results of every compared scenario and runs the statistics.
  "Query.compareScenarios": (args) => 10 * listLength(args.ids),
  "Query.selectBest": (args) => 10 * listLength(args.ids),
};

/** A list without a `first` argument is assumed to hold this many items. */
const ASSUMED_LIST_SIZE = 10;
/** A paginated field's own cost: a query of its own for every parent (keyset pages are not batched). */
const CONNECTION_COST = 10;
const MUTATION_FIELD_COST = 10;

const listLength = (value: unknown): number => (Array.isArray(value) ? Math.max(1, value.length) : 1);

/**
 * The estimator of graphql-query-complexity for our schema: a field costs its
 * own weight plus its selection times how many items it returns (`first`, else
 * the default page size for connections, an assumed size for plain lists;
 * a connection's edges and page info add nothing of their own).
 * Introspection fields are free (introspection is switched off in production).
 */
function costEstimator(mutationType: string | undefined): ComplexityEstimator {
  return ({ type, field, args, childComplexity }) => {
    if (field.name.startsWith("__") || type.name.startsWith("__")) return 0;
    // A Relay connection's `first` already counted its edges; the wrapper objects are free.
    if (type.name.endsWith("Connection") && (field.name === "edges" || field.name === "pageInfo"))
      return childComplexity;
    const weight = FIELD_COSTS[`${type.name}.${field.name}`];
    const leaf = isLeafType(getNamedType(field.type));
    const paginated = field.args.some((a) => a.name === "first");
    const own =
      typeof weight === "function"
        ? weight(args)
        : (weight ??
          (type.name === mutationType ? MUTATION_FIELD_COST : paginated ? CONNECTION_COST : leaf ? 0 : 1));
    if (leaf) return own;
    let items = 1;
    if (paginated) items = typeof args.first === "number" && args.first > 0 ? args.first : DEFAULT_PAGE_SIZE;
    else if (isListType(getNullableType(field.type))) items = ASSUMED_LIST_SIZE;
    return own + items * childComplexity;
  };
}

/** The estimated cost of one operation of a document with its variables (see FIELD_COSTS). */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  operationName: string | undefined | null,
): number {
  return getComplexity({
    schema,
    query: document,
    variables: variables ?? {},
    operationName: operationName ?? undefined,
    estimators: [costEstimator(schema.getMutationType()?.name)],
  });
}

// ---------------------------------------------------------------------------
// Limits before execution, for both transports

/** How many refused documents are remembered, by hash, so that a repeated attack costs a hash. */
const REFUSED_CACHE_SIZE = 1000;

/** Operation limits bound to a schema; counts every refusal in /metrics. */
export class OperationGuard {
  private readonly rules: Record<Transport, ValidationRule[]>;
  private readonly refusedDocuments = new Map<string, readonly GraphQLError[]>();

  constructor(
    private readonly schema: GraphQLSchema,
    readonly limits: OperationLimits,
    private readonly metrics: Metrics,
  ) {
    this.rules = { http: this.armorRules("http"), ws: this.armorRules("ws") };
  }

  /**
   * GraphQL Armor's depth, alias and directive rules. They report a validation
   * error (instead of throwing, their default) so every problem of the document
   * is listed, as graphql-js does for its own rules.
   */
  private armorRules(transport: Transport): ValidationRule[] {
    const reject =
      (limit: Limit) =>
      (context: ValidationContext | null, error: GraphQLError): void => {
        this.refused(limit, transport);
        context?.reportError(limitError(limit, error.message.replace(/^Syntax Error: /, "")));
      };
    const common = { exposeLimits: true, propagateOnRejection: false };
    return [
      maxDepthRule({ ...common, n: this.limits.maxDepth, onReject: [reject("depth")] }),
      maxAliasesRule({ ...common, n: this.limits.maxAliases, onReject: [reject("aliases")] }),
      maxDirectivesRule({ ...common, n: this.limits.maxDirectives, onReject: [reject("directives")] }),
    ];
  }

  refused(limit: Limit, transport: Transport): void {
    this.metrics.refusedOperations.inc({ limit, transport });
  }

  /** Validation rules Apollo adds to graphql-js's own (introspection is Apollo's option there). */
  get httpValidationRules(): ValidationRule[] {
    return this.rules.http;
  }

  /** graphql-js parses at most this many tokens (Apollo's and graphql-ws's parse alike). */
  get parseOptions(): { maxTokens: number } {
    return { maxTokens: this.limits.maxTokens };
  }

  /** graphql-js's parse error of too many tokens, reworded like the other limits, with `extensions.limit`. */
  private tokenLimit(error: GraphQLError, transport: Transport): GraphQLError {
    if (!TOKEN_LIMIT.test(error.message)) return error;
    this.refused("tokens", transport);
    error.message = `Token limit of ${this.limits.maxTokens} exceeded.`;
    Object.assign(error.extensions, { code: ErrorCode.BAD_USER_INPUT, limit: "tokens" });
    return error;
  }

  /** Throws the cost error when an operation with these variables is too expensive. */
  checkCost(
    document: DocumentNode,
    variables: Record<string, unknown> | undefined,
    operationName: string | undefined | null,
    transport: Transport,
  ): void {
    let cost: number;
    try {
      cost = operationCost(this.schema, document, variables, operationName);
    } catch (err) {
      // Too many nodes to even estimate (graphql-query-complexity stops at 10 000).
      if (err instanceof GraphQLError && /maximum allowed number of nodes/.test(err.message)) {
        cost = Number.POSITIVE_INFINITY;
      } else throw err;
    }
    if (cost > this.limits.maxCost) {
      this.refused("cost", transport);
      throw limitError(
        "cost",
        `Query cost limit of ${this.limits.maxCost} exceeded, estimated ${Number.isFinite(cost) ? cost : "more than that"}. ` +
          "Ask for fewer items (first) or fewer expensive fields (effectiveModel, results, definition, compareScenarios).",
      );
    }
  }

  /**
   * The shape limits alone (tokens, depth, aliases, directives): a parse and
   * three cheap rules, before graphql-js's own (much costlier) validation, and
   * refusals remembered by the document's hash.
   */
  private checkShape(
    query: string,
    transport: Transport,
  ): { document?: DocumentNode; errors?: GraphQLError[] } {
    const hash = createHash("sha256").update(query).digest("base64url");
    const known = this.refusedDocuments.get(hash);
    if (known) {
      for (const e of known) this.refused(e.extensions.limit as Limit, transport);
      return { errors: [...known] };
    }
    const remember = (errors: GraphQLError[]) => {
      if (this.refusedDocuments.size >= REFUSED_CACHE_SIZE)
        this.refusedDocuments.delete(this.refusedDocuments.keys().next().value as string);
      this.refusedDocuments.set(hash, errors);
      return { errors };
    };
    let document: DocumentNode;
    try {
      document = parse(query, this.parseOptions);
    } catch (err) {
      if (!(err instanceof GraphQLError)) throw err;
      const error = this.tokenLimit(err, transport);
      return error.extensions.limit ? remember([error]) : { errors: [error] };
    }
    const errors = validate(this.schema, document, this.rules[transport]);
    return errors.length ? remember([...errors]) : { document };
  }

  /**
   * Express middleware before Apollo (and before authentication): a document
   * over a shape limit is answered 400 at once, so an attacker repeating it
   * costs neither a database lookup nor graphql-js's validation. Anything else,
   * syntax errors included, goes on to Apollo, which checks again.
   */
  httpGate(): RequestHandler {
    return (req: Request, res: Response, next: NextFunction) => {
      const source: unknown = req.method === "GET" ? req.query : req.body;
      const query = (source as { query?: unknown } | undefined)?.query;
      if (typeof query !== "string") return next();
      const { errors } = this.checkShape(query, "http");
      if (!errors?.some((e) => e.extensions.limit)) return next();
      res.status(400).json({
        errors: errors.map((e) => ({
          message: e.message,
          extensions: { code: ErrorCode.BAD_USER_INPUT, limit: e.extensions.limit },
        })),
      });
    };
  }

  /** Apollo plugin: counts the token limit (graphql-js's parse refuses) and checks the cost with the variables. */
  apolloPlugin(): ApolloServerPlugin {
    return {
      requestDidStart: async () => ({
        // Apollo builds its parse error from this one after the hook: name the limit there.
        parsingDidStart: async () => async (error) => {
          if (error instanceof GraphQLError) this.tokenLimit(error, "http");
        },
        didResolveOperation: async (rc) => {
          this.checkCost(rc.document, rc.request.variables, rc.operationName, "http");
        },
      }),
    };
  }

  /**
   * Parse, validation and the cost check of a graphql-ws `subscribe` message:
   * the same limits as over HTTP. Returns the document, or the errors to send.
   */
  checkWs(payload: {
    query: string;
    operationName?: string | null;
    variables?: Record<string, unknown> | null;
  }): { document: DocumentNode } | { errors: GraphQLError[] } {
    const shape = this.checkShape(payload.query, "ws");
    if (!shape.document)
      return { errors: (shape.errors ?? []).map((e) => (e.extensions.limit ? wsLimitError(e) : e)) };
    const document = shape.document;
    const rules = [
      ...specifiedRules,
      ...(this.limits.introspection ? [] : [NoSchemaIntrospectionCustomRule]),
    ];
    const errors = validate(this.schema, document, rules);
    if (errors.length) {
      return {
        errors: errors.map((e) => {
          if (!this.limits.suggestions) e.message = withoutSuggestions(e.message);
          return e;
        }),
      };
    }
    try {
      this.checkCost(document, payload.variables ?? undefined, payload.operationName, "ws");
    } catch (err) {
      if (err instanceof GraphQLError) return { errors: [wsLimitError(err)] };
      throw err;
    }
    return { document };
  }
}

/** graphql-js 16 says "more that N tokens". */
const TOKEN_LIMIT = /^Syntax Error: Document contains more th(?:an|at) \d+ tokens/;

/** What Apollo's hideSchemaDetailsFromClientErrors does to a validation message. */
const withoutSuggestions = (message: string) => message.replace(/ ?Did you mean(.+?)\?$/, "");
