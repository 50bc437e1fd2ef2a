/**
 * Reading helpers for a validated model: the one place where wire aliases,
 * defaults and generated ids are resolved, so the runtime reads every field
 * the same way the validator checked it.
 */
import type {
  Action,
  QuodsiModel,
  StateDeclaration,
  StateModification,
  StateSample,
  StateValue,
} from "./wire.js";

export type RoutingMode = "probability" | "state_condition" | "entity_type";

/** Every spelling of a routing mode accepted on the wire (lower-cased), and the mode it means. */
export const ROUTING_ALIASES: Readonly<Record<string, RoutingMode>> = {
  probability: "probability",
  probabilistic: "probability",
  state_condition: "state_condition",
  // Decision Q1: the clean value for entity-type routing is unconfirmed; all three are read as one mode.
  entity_type: "entity_type",
  entity_template: "entity_type",
  entity: "entity_type",
};

/**
 * The routing mode of an activity's `routing` value: absent or null is
 * probability; any case is accepted; undefined for a value that is not a
 * routing mode (validation refuses those).
 */
export function routingMode(routing: unknown): RoutingMode | undefined {
  if (routing === undefined || routing === null) return "probability";
  if (typeof routing !== "string") return undefined;
  return ROUTING_ALIASES[routing.toLowerCase()];
}

/** The value a new instance of the state starts with: `initialValue`, or 0, "", false, the first category. */
export function stateInitialValue(s: StateDeclaration): StateValue {
  if (s.initialValue !== undefined && s.initialValue !== null) return s.initialValue;
  switch (s.dataType) {
    case "number":
      return 0;
    case "boolean":
      return false;
    case "string":
      return "";
    case "category":
      return s.categoryValues?.[0] ?? "";
  }
}

export type ModificationOperand =
  | { kind: "value"; value: StateValue }
  | { kind: "expression"; expression: string }
  | { kind: "sample"; sample: StateSample };

/** The one operand of a validated modification (the other two are absent or null). */
export function modificationOperand(m: StateModification): ModificationOperand {
  if (m.expression !== undefined && m.expression !== null)
    return { kind: "expression", expression: m.expression };
  if (m.sample !== undefined && m.sample !== null) return { kind: "sample", sample: m.sample };
  return { kind: "value", value: m.value };
}

/** The nested action lists of an action (loop body, branch arms), with their field names. */
export function nestedActionLists(a: Action): Array<[field: "actions" | "ifTrue" | "ifFalse", Action[]]> {
  if (a.type === "loop") return [["actions", a.actions ?? []]];
  if (a.type === "branch")
    return [
      ["ifTrue", a.ifTrue ?? []],
      ["ifFalse", a.ifFalse ?? []],
    ];
  return [];
}

/**
 * The id of an action, generated when the wire leaves it out (the clean
 * coffee-shop example does): `#<index>` for an action of an activity or
 * connector, as the engine has always keyed its random streams, and
 * `<parent id>/<list>#<index>` for a nested one, e.g. `#2/ifTrue#0`.
 * Deterministic, so the same document always gets the same ids; validation
 * checks that authored and generated ids are unique within their owner.
 */
export function actionId(a: { id?: unknown }, index: number, parent?: { id: string; list: string }): string {
  if (typeof a.id === "string" && a.id !== "") return a.id;
  return parent ? `${parent.id}/${parent.list}#${index}` : `#${index}`;
}

function withIds(list: Action[], parent?: { id: string; list: string }): Action[] {
  let changed = false;
  const out = list.map((a, i) => {
    const id = actionId(a, i, parent);
    let b: Action = a.id === id ? a : { ...a, id };
    if (b.type === "loop" && b.actions?.length) {
      const inner = withIds(b.actions, { id, list: "actions" });
      if (inner !== b.actions) b = { ...b, actions: inner };
    } else if (b.type === "branch") {
      const t = b.ifTrue?.length ? withIds(b.ifTrue, { id, list: "ifTrue" }) : b.ifTrue;
      const f = b.ifFalse?.length ? withIds(b.ifFalse, { id, list: "ifFalse" }) : b.ifFalse;
      if (t !== b.ifTrue || f !== b.ifFalse) b = { ...b, ifTrue: t, ifFalse: f };
    }
    if (b !== a) changed = true;
    return b;
  });
  return changed ? out : list;
}

/**
 * The model with an id on every action (see `actionId`). Returns the same
 * object when every action already has one; otherwise a copy sharing every
 * untouched part with the input, which is never modified.
 */
export function withActionIds(model: QuodsiModel): QuodsiModel {
  let changed = false;
  const owners = <T extends { actions?: Action[] | null }>(list: T[] | undefined): T[] | undefined =>
    list?.map((o) => {
      if (!o.actions?.length) return o;
      const actions = withIds(o.actions);
      if (actions === o.actions) return o;
      changed = true;
      return { ...o, actions };
    });
  const activities = owners(model.activities);
  const connectors = owners(model.connectors);
  return changed ? { ...model, activities, connectors } : model;
}
