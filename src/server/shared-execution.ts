import {
  createSourceEventStream,
  execute,
  getOperationAST,
  Kind,
  OperationTypeNode,
  type ExecutionArgs,
  type ExecutionResult,
} from "graphql";

/** Subscription fields whose result depends only on the event and the selection (no context, no nested resolvers). */
const PURE_EVENT_FIELDS = new Set(["scenarioProgress", "__typename"]);

function sharingKey(args: ExecutionArgs): string | undefined {
  const operation = getOperationAST(args.document, args.operationName);
  const source = args.document.loc?.source.body;
  if (!operation || operation.operation !== OperationTypeNode.SUBSCRIPTION || source === undefined)
    return undefined;
  const pure = operation.selectionSet.selections.every(
    (s) => s.kind === Kind.FIELD && PURE_EVENT_FIELDS.has(s.name.value),
  );
  return pure
    ? `${args.operationName ?? ""}\u0000${JSON.stringify(args.variableValues ?? {})}\u0000${source}`
    : undefined;
}

async function* mapEvents<T, R>(
  source: AsyncIterable<T>,
  fn: (event: T) => Promise<R> | R,
): AsyncGenerator<R> {
  const iterator = source[Symbol.asyncIterator]();
  try {
    for (let next = await iterator.next(); !next.done; next = await iterator.next())
      yield await fn(next.value);
  } finally {
    await iterator.return?.();
  }
}

/**
 * graphql's `subscribe`, except that one event delivered to many subscribers
 * with the same document and variables is executed once: progress fan-out to a
 * thousand dashboards costs one execution per event instead of a thousand.
 * Only operations whose root fields are pure functions of the event share
 * results; every event object is private to the subscribers it was delivered to
 * (tenant filtering happens before), so nothing crosses subscribers that could
 * not see the event anyway.
 */
export function createSharedSubscribe() {
  const results = new WeakMap<object, Map<string, Promise<ExecutionResult> | ExecutionResult>>();
  return async (args: ExecutionArgs) => {
    const stream = await createSourceEventStream(args);
    if (!(Symbol.asyncIterator in stream)) return stream;
    const key = sharingKey(args);
    return mapEvents(stream, (event) => {
      const run = () => execute({ ...args, rootValue: event }) as Promise<ExecutionResult> | ExecutionResult;
      if (key === undefined || typeof event !== "object" || event === null) return run();
      let perEvent = results.get(event);
      if (!perEvent)
        results.set(event, (perEvent = new Map<string, Promise<ExecutionResult> | ExecutionResult>()));
      let result = perEvent.get(key);
      if (!result) perEvent.set(key, (result = run()));
      return result;
    });
  };
}
