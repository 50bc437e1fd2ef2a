/**
 * Builders of draw.io documents for tests: the same layout Quodsi writes
 * (a root cell with `quodsiVersion` and `quodsiModel`, one `<object>` per
 * shape with `quodsiType` and `quodsiData`).
 */

/** XML attribute text: the five characters that must be escaped. */
export const escapeAttr = (s: string): string =>
  s
    .replace(/&/g, "&amp;")
    .replace(/"/g, "&quot;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/'/g, "&apos;");

export interface Shape {
  id: string;
  type: string;
  /** The shape's element; `raw` gives the attribute text as it is instead. */
  data?: unknown;
  raw?: string;
  /** Connector ends (the cell's source and target). */
  source?: string;
  target?: string;
}

/** A one-page draw.io file; `model` becomes the root cell's quodsiModel (none when undefined). */
export function drawioFile(model: unknown, shapes: Shape[], version = "2026.12.01"): string {
  const root =
    model === undefined
      ? `<object quodsiVersion="${version}" id="0"><mxCell /></object>`
      : `<object quodsiVersion="${version}" quodsiModel="${escapeAttr(JSON.stringify(model))}" id="0"><mxCell /></object>`;
  const cells = shapes.map((s) => {
    const data = s.raw ?? JSON.stringify(s.data);
    const ends = s.source ? ` edge="1" source="${s.source}" target="${s.target}"` : ` vertex="1"`;
    return `        <object label="${escapeAttr(s.id)}" quodsiType="${s.type}" quodsiTracked="true" quodsiData="${escapeAttr(data)}" id="${s.id}">
          <mxCell parent="1"${ends} style="whiteSpace=wrap;html=1;"><mxGeometry width="80" height="80" as="geometry" /></mxCell>
        </object>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>
<mxfile host="test">
  <diagram name="Page-1" id="page">
    <mxGraphModel dx="800" dy="600" grid="1">
      <root>
        ${root}
        <mxCell id="1" parent="0" />
        <!-- a note that is not part of the model -->
        <object label="Notes &amp; more" id="notes"><mxCell parent="1" vertex="1" /></object>
${cells.join("\n")}
      </root>
    </mxGraphModel>
  </diagram>
</mxfile>
`;
}

/**
 * A paint shop: three parts, ten minutes apart; each gets three 2-minute
 * coats (a loop), then a 1-minute inspection: 7 minutes in the system each.
 * `levers` go on the paint activity.
 */
export function loopDrawio(levers?: unknown[]): string {
  return drawioFile(
    {
      schemaVersion: "2026.12.01",
      name: "Loop: three coats of paint",
      replications: 1,
      seed: 1,
      timeUnit: "minutes",
      runTime: { unit: "minutes", value: 60 },
      entities: [{ id: "part", name: "Part" }],
      resources: [],
      resourceRequirements: [],
      states: [
        { id: "coats", name: "coats_applied", componentType: "entity", dataType: "number", initialValue: 0 },
      ],
      arrivalPatterns: [],
      arrivalSchedules: [],
    },
    [
      {
        id: "edge-1",
        type: "Connector",
        data: { id: "edge-1", name: "To Paint", sourceId: "parts", targetId: "paint" },
        source: "parts",
        target: "paint",
      },
      {
        id: "edge-2",
        type: "Connector",
        data: { id: "edge-2", name: "To Inspect", weight: 1 },
        source: "paint",
        target: "inspect",
      },
      {
        id: "parts",
        type: "Generator",
        data: {
          id: "parts",
          name: "Parts Arrive",
          entityId: "part",
          interarrivalTime: { unit: "minutes", value: 10 },
          maxEntities: 3,
        },
      },
      {
        id: "paint",
        type: "Activity",
        data: {
          id: "paint",
          name: "Paint Part",
          actions: [
            {
              id: "three-coats",
              type: "loop",
              count: 3,
              actions: [
                { id: "apply-coat", type: "delay", duration: { unit: "minutes", value: 2 } },
                {
                  id: "count-coat",
                  type: "assign",
                  modifications: [{ stateId: "coats", operation: "add", value: 1 }],
                },
              ],
            },
          ],
          ...(levers ? { levers } : {}),
        },
      },
      {
        id: "inspect",
        type: "Activity",
        data: {
          id: "inspect",
          name: "Inspect Finish",
          actions: [{ id: "look", type: "delay", duration: { unit: "minutes", value: 1 } }],
        },
      },
    ],
  );
}
