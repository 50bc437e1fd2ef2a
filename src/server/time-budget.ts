import type { ApolloServerPlugin } from "@apollo/server";
import {
  GraphQLError,
  OperationTypeNode,
  defaultFieldResolver,
  execute,
  getOperationAST,
  isCompositeType,
  isObjectType,
  getNamedType,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLFieldResolver,
  type GraphQLFormattedError,
  type GraphQLSchema,
} from "graphql";
import { StatementLane, currentLane, inLane } from "../db/scheduler.js";
import { ErrorCode } from "../errors.js";
import type { OperationGuard, Transport } from "./limits.js";

/**
 * The time budget of one operation. GraphQL execution cannot be interrupted
 * from outside, so every resolver checks it: once the deadline has passed, no
 * resolver starts any more, and resolvers still awaiting (the database) are
 * abandoned, so execution completes at once with the error and the event loop
 * is free for other requests. A query's database statements that have not
 * started yet are dropped with it (its statement lane is aborted), so the
 * database is free too. A mutation's root field is never abandoned half-way
 * (it runs to its end or not at all: a failed mutation writes nothing), so a
 * mutation's statements always run.
 */
class Budget {
  private _expired = false;
  private timer: NodeJS.Timeout | undefined;
  private expiry: Promise<never> | undefined;
  private readonly error: GraphQLError;

  /** lane: the operation's statements, aborted on expiry (undefined: a mutation's, never aborted). */
  constructor(
    readonly deadline: number,
    ms: number,
    private readonly lane: StatementLane | undefined,
  ) {
    this.error = new GraphQLError(
      `The operation ran longer than its time budget of ${ms} ms and was aborted.`,
      {
        extensions: { code: ErrorCode.BAD_USER_INPUT, limit: "time" },
      },
    );
  }

  get expired(): boolean {
    return this._expired;
  }

  private expire(): void {
    this._expired = true;
    this.lane?.abort(this.error);
  }

  /**
   * Once the deadline has passed: the budget's error, as a rejected promise rather than thrown.
   * graphql-js stops completing a list or an object at a resolver's synchronous throw in a
   * non-null position, and then nobody handles its siblings' promises: their later rejection
   * (a dropped statement's) would be unhandled and end the process.
   */
  check(): Promise<never> | undefined {
    if (this._expired || performance.now() >= this.deadline) {
      this.expire();
      return Promise.reject(this.error);
    }
    return undefined;
  }

  /** Settles first of the resolver's promise and the deadline. */
  race<T>(result: Promise<T>): Promise<T> {
    this.expiry ??= new Promise<never>((_resolve, reject) => {
      this.timer = setTimeout(
        () => {
          this.expire();
          reject(this.error);
        },
        Math.max(0, this.deadline - performance.now()),
      );
    });
    return Promise.race([result, this.expiry]);
  }

  end(): void {
    clearTimeout(this.timer);
    // A rejection nobody awaits any more must not surface as unhandled.
    this.expiry?.catch(() => undefined);
  }
}

/** Budgets of operations in flight, by their resolver context. */
const budgets = new WeakMap<object, Budget>();
const WRAPPED = Symbol("scenariolab.timeBudget");

type Resolver = GraphQLFieldResolver<unknown, unknown> & { [WRAPPED]?: true };

const isPromiseLike = (value: unknown): value is Promise<unknown> =>
  typeof value === "object" && value !== null && typeof (value as { then?: unknown }).then === "function";

function budgeted(resolve: GraphQLFieldResolver<unknown, unknown>, rootMutation: boolean): Resolver {
  const wrapped: Resolver = (source, args, context, info) => {
    const budget = typeof context === "object" && context !== null ? budgets.get(context) : undefined;
    if (!budget) return resolve(source, args, context, info);
    const expired = budget.check();
    if (expired) return expired;
    const result = resolve(source, args, context, info);
    return rootMutation || !isPromiseLike(result) ? result : budget.race(result);
  };
  // Keep the marks of wrappers below (input hygiene): a second server in this process wraps nothing twice.
  Object.assign(wrapped, resolve);
  wrapped[WRAPPED] = true;
  return wrapped;
}

/**
 * Makes every resolver of the schema honour the time budget of its operation
 * (operations without a budget run as before). Idempotent: the schema object
 * may be shared by several servers in one process.
 */
export function applyTimeBudget(schema: GraphQLSchema): void {
  const mutation = schema.getMutationType();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith("__")) continue;
    for (const field of Object.values(type.getFields())) {
      const resolve = field.resolve as Resolver | undefined;
      if (resolve?.[WRAPPED]) continue;
      // Leaves read from their parent's row need no check of their own.
      if (!resolve && !isCompositeType(getNamedType(field.type))) continue;
      field.resolve = budgeted(resolve ?? defaultFieldResolver, type === mutation);
    }
  }
}

/** Keeps one time-budget error of a response (every abandoned resolver reports one). */
function dedupe<E extends GraphQLFormattedError | GraphQLError>(errors: readonly E[]): E[] {
  let seen = false;
  return errors.filter((e) => {
    if (e.extensions?.limit !== "time") return true;
    if (seen) return false;
    seen = true;
    return true;
  });
}

/** Apollo plugin: the budget starts when the request does and covers its execution. */
export function timeBudgetPlugin(ms: number, guard: OperationGuard): ApolloServerPlugin {
  return {
    requestDidStart: async () => {
      const started = performance.now();
      let budget: Budget | undefined;
      return {
        executionDidStart: async (rc) => {
          // The request's statement lane (app.ts); a mutation's statements are never dropped.
          const lane = rc.operation?.operation === OperationTypeNode.QUERY ? currentLane() : undefined;
          budget = new Budget(started + ms, ms, lane);
          budgets.set(rc.contextValue, budget);
        },
        willSendResponse: async (rc) => {
          if (!budget) return;
          budget.end();
          budgets.delete(rc.contextValue);
          if (!budget.expired) return;
          guard.refused("time", "http");
          const body = rc.response.body;
          if (body.kind === "single" && body.singleResult.errors)
            body.singleResult.errors = dedupe(body.singleResult.errors);
        },
      };
    },
  };
}

/** graphql-js `execute` with the operation's database statements in a lane of their own. */
export function laneExecute(args: ExecutionArgs): Promise<ExecutionResult> {
  return inLane(new StatementLane(), async () => execute(args));
}

/** graphql-js `execute` with the time budget, for queries and mutations over graphql-ws. */
export function budgetedExecute(ms: number, guard: OperationGuard, transport: Transport = "ws") {
  return async (args: ExecutionArgs): Promise<ExecutionResult> => {
    const context = args.contextValue;
    if (typeof context !== "object" || context === null) return laneExecute(args);
    const lane = new StatementLane();
    const query = getOperationAST(args.document, args.operationName)?.operation === OperationTypeNode.QUERY;
    const budget = new Budget(performance.now() + ms, ms, query ? lane : undefined);
    budgets.set(context, budget);
    try {
      const result = await inLane(lane, async () => execute(args));
      if (!budget.expired || !result.errors) return result;
      guard.refused("time", transport);
      return { ...result, errors: dedupe(result.errors) };
    } finally {
      budget.end();
      budgets.delete(context);
    }
  };
}
