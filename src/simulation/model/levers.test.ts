import { describe, expect, it } from "vitest";
import { validateModel } from "../index.js";
import { leverIssues, readLevers } from "./levers.js";

const base = () => ({
  schemaVersion: "2026.12.01",
  name: "Shop",
  timeUnit: "minutes",
  runTime: { unit: "minutes", value: 60 },
  entities: [{ id: "e", name: "E" }],
  resources: [{ id: "r", name: "Staff", capacity: 2 }],
  resourceRequirements: [{ id: "rr", name: "RR", rootClause: { id: "c", requests: [{ resourceId: "r" }] } }],
  activities: [
    {
      id: "a",
      name: "Serve",
      inboundCapacity: 4,
      actions: [
        {
          id: "d",
          type: "delay_with_resource",
          resourceRequirementId: "rr",
          duration: { unit: "minutes", value: 3 },
        },
      ],
    },
  ],
  generators: [{ id: "g", name: "Arrivals", entityId: "e", interarrivalTime: { unit: "minutes", value: 5 } }],
  connectors: [{ id: "c1", sourceId: "g", targetId: "a" }],
});

function levers(def: Record<string, unknown>) {
  const v = validateModel(def);
  if (!v.ok) throw new Error(JSON.stringify(v.issues));
  return readLevers(def, v.value);
}

const lever = (propertyName: string, extra: Record<string, unknown> = {}) => ({
  leverId: `l-${propertyName}`,
  propertyName,
  range: { min: 1, max: 5, step: 1 },
  ...extra,
});

describe("levers", () => {
  it("maps every wire property with an override to it, with the current value", () => {
    const def = base() as Record<string, unknown> &
      Record<"resources" | "activities" | "generators" | "connectors", Record<string, unknown>[]>;
    def.levers = [lever("SEED"), lever("RUN_PERIOD")];
    def.resources[0].levers = [lever("CAPACITY")];
    def.activities[0].levers = [
      lever("ACTIVITY_CAPACITY"),
      lever("INBOUND_QUEUE_CAPACITY"),
      lever("OUTBOUND_QUEUE_CAPACITY"),
      lever("DURATION", { actionId: "d" }),
    ];
    def.generators[0].levers = [
      lever("INTERARRIVAL_TIMING"),
      lever("MAX_ENTITIES"),
      lever("ENTITIES_PER_CREATION"),
    ];
    def.connectors[0].levers = [lever("weight")];
    const got = levers(def).map((l) => [
      l.objectType,
      l.objectId,
      l.override?.propertyName,
      l.valueType,
      l.currentValue,
    ]);
    expect(got).toEqual([
      ["MODEL", "model", "seed", "integer", null],
      ["MODEL", "model", "runTime", "duration", { unit: "minutes", value: 60 }],
      ["RESOURCE", "r", "capacity", "integer", 2],
      ["ACTIVITY", "a", "capacity", "integer", 1],
      ["ACTIVITY", "a", "inboundCapacity", "integer", 4],
      ["ACTIVITY", "a", "outboundCapacity", "integer", null],
      ["ACTIVITY", "a", "actions.d.duration", "duration", { unit: "minutes", value: 3 }],
      ["GENERATOR", "g", "interarrivalTime", "duration", { unit: "minutes", value: 5 }],
      ["GENERATOR", "g", "maxEntities", "integer", null],
      ["GENERATOR", "g", "batchSize", "integer", 1],
      ["CONNECTOR", "c1", "weight", "number", 1],
    ]);
  });

  it("lists a lever without an override with the reason", () => {
    const def = base() as Record<string, unknown> & Record<"activities", Record<string, unknown>[]>;
    def.levers = [lever("REPS")];
    def.activities[0].levers = [
      lever("RESOURCE_REQUIREMENT"),
      lever("DURATION"),
      lever("DURATION", { actionId: "missing" }),
      lever("COLOUR"),
    ];
    const got = levers(def);
    expect(got.every((l) => l.override === null && l.valueType === null)).toBe(true);
    expect(got.map((l) => l.unsupportedReason)).toEqual([
      expect.stringContaining("scenario's reps"),
      expect.stringContaining("resource requirement"),
      expect.stringContaining("needs the actionId"),
      expect.stringContaining('no action with id or index "missing"'),
      "no override changes COLOUR of an object of type ACTIVITY",
    ]);
  });

  it("fills defaults: enabled true, generated id, null range and step", () => {
    const def = base() as Record<string, unknown> & Record<"resources", Record<string, unknown>[]>;
    def.resources[0].levers = [
      { propertyName: "CAPACITY", enabled: false },
      { propertyName: "CAPACITY", range: { min: 1, max: 2 } },
    ];
    const [a, b] = levers(def);
    expect(a).toMatchObject({
      leverId: "r:CAPACITY:0",
      enabled: false,
      range: null,
      label: null,
      objectName: "Staff",
    });
    expect(b).toMatchObject({
      leverId: "r:CAPACITY:1",
      enabled: true,
      range: { min: 1, max: 2, step: null },
      path: "resources[0].levers[1]",
    });
  });

  it("reports malformed levers with their paths", () => {
    const def = base() as Record<string, unknown> &
      Record<"resources" | "generators", Record<string, unknown>[]>;
    def.levers = "CAPACITY";
    def.resources[0].levers = [
      7,
      { range: { min: "1", max: 2 } },
      { propertyName: "CAPACITY", enabled: "yes", label: 3, range: { min: 3, max: 1, step: -1 } },
    ];
    def.generators[0].levers = [{ propertyName: "MAX_ENTITIES", range: [1, 2] }];
    expect(leverIssues(def).map((i) => i.path)).toEqual([
      "levers",
      "resources[0].levers[0]",
      "resources[0].levers[1].propertyName",
      "resources[0].levers[1].range.min",
      "resources[0].levers[2].label",
      "resources[0].levers[2].enabled",
      "resources[0].levers[2].range",
      "resources[0].levers[2].range.step",
      "generators[0].levers[0].range",
    ]);
    expect(leverIssues(base())).toEqual([]);
  });
});
