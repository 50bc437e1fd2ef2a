/**
 * Reads a Quodsi model out of a draw.io document. Quodsi keeps the model's
 * settings and model-level lists (entities, states, resources, requirements,
 * arrival patterns…) as JSON in the `quodsiModel` attribute of the root cell
 * (id "0"), and each shape's element as JSON in its `quodsiData` attribute,
 * its kind in `quodsiType` (Activity, Generator, Connector, Resource…). This
 * module assembles them into one document; the caller up-converts it when it
 * is legacy and validates it.
 *
 * A page (`<diagram>`) holds its graph either as XML or compressed, as
 * draw.io writes it: base64 of raw deflate of the URI-encoded XML.
 */
import { inflateRawSync } from "node:zlib";
import { isObject, type Obj } from "../simulation/model/issues.js";
import type { ValidationIssue } from "../simulation/index.js";
import { childElements, parseXml, textOf, XmlSyntaxError, type XmlElement } from "./xml.js";

/** A compressed page may not inflate beyond this (a zip bomb is refused, not expanded). */
export const MAX_INFLATED_BYTES = 16 * 1024 * 1024;

/** Quodsi's well-known default entity, referenced by generators of files that declare no entity. */
export const DEFAULT_ENTITY = { id: "00000000-0000-0000-0000-000000000000", name: "Default Entity" };

/** Where each shape kind goes in the assembled document. */
const COLLECTION_OF: Readonly<Record<string, string>> = {
  activity: "activities",
  generator: "generators",
  connector: "connectors",
  resource: "resources",
  entity: "entities",
  resourcerequirement: "resourceRequirements",
  state: "states",
};

export interface AssembledDrawio {
  /** The assembled model document (clean or legacy, as the file is). */
  document: Obj;
  /** The Quodsi version the file was saved with (`quodsiVersion`, else the model's schemaVersion). */
  version: string | undefined;
  warnings: ValidationIssue[];
  /**
   * Maps a path in the assembled document (`activities[2].actions[0]`) to
   * where it is in the file (`diagram[0].cell[paint].quodsiData.actions[0]`).
   */
  locate: (path: string) => string;
}

type Assembled = { ok: true; value: AssembledDrawio } | { ok: false; issues: ValidationIssue[] };

/** A page's graph model: its `<mxGraphModel>` child, or its compressed text inflated and parsed. */
function graphModel(diagram: XmlElement, path: string, issues: ValidationIssue[]): XmlElement | undefined {
  const inline = childElements(diagram).find((e) => e.name === "mxGraphModel");
  if (inline) return inline;
  const text = textOf(diagram).trim();
  if (!text) return undefined;
  let xml: string;
  try {
    const inflated = inflateRawSync(Buffer.from(text, "base64"), { maxOutputLength: MAX_INFLATED_BYTES });
    xml = decodeURIComponent(inflated.toString("utf8"));
  } catch (err) {
    const why = err instanceof RangeError ? `inflates beyond ${MAX_INFLATED_BYTES} bytes` : "is not valid";
    issues.push({
      path,
      message: `the compressed page ${why} (expected base64 of deflated, URI-encoded XML)`,
    });
    return undefined;
  }
  try {
    const parsed = parseXml(xml);
    if (parsed.name !== "mxGraphModel") {
      issues.push({ path, message: `the compressed page holds <${parsed.name}>, expected <mxGraphModel>` });
      return undefined;
    }
    return parsed;
  } catch (err) {
    issues.push({ path, message: `the compressed page is not well-formed XML: ${(err as Error).message}` });
    return undefined;
  }
}

/** A cell's id and attributes: `<object|UserObject attrs><mxCell/></object>` or a bare `<mxCell>`. */
function cellsOf(
  root: XmlElement,
): { id: string; attrs: Record<string, string>; cell: Record<string, string> }[] {
  return childElements(root).flatMap((el) => {
    if (el.name === "mxCell")
      return [{ id: el.attributes.id ?? "", attrs: el.attributes, cell: el.attributes }];
    if (el.name === "object" || el.name === "UserObject") {
      const inner = childElements(el).find((e) => e.name === "mxCell");
      return [{ id: el.attributes.id ?? "", attrs: el.attributes, cell: inner?.attributes ?? {} }];
    }
    return [];
  });
}

function parseJsonAttribute(raw: string, path: string, issues: ValidationIssue[]): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch (err) {
    issues.push({ path, message: `is not valid JSON: ${(err as Error).message}` });
    return undefined;
  }
}

/** Assembles the Quodsi model of a draw.io document, or says what is wrong and where. */
export function assembleDrawio(xml: string): Assembled {
  let file: XmlElement;
  try {
    file = parseXml(xml);
  } catch (err) {
    if (err instanceof XmlSyntaxError)
      return { ok: false, issues: [{ path: "", message: `not well-formed XML: ${err.message}` }] };
    throw err;
  }
  const issues: ValidationIssue[] = [];
  const warnings: ValidationIssue[] = [];
  let pages: { model: XmlElement; path: string }[];
  if (file.name === "mxGraphModel") pages = [{ model: file, path: "" }];
  else if (file.name === "mxfile") {
    pages = [];
    childElements(file)
      .filter((e) => e.name === "diagram")
      .forEach((d, i) => {
        const model = graphModel(d, `diagram[${i}]`, issues);
        if (model) pages.push({ model, path: `diagram[${i}]` });
      });
    if (!pages.length && !issues.length)
      issues.push({ path: "", message: "the draw.io file has no page (<diagram>)" });
  } else {
    return {
      ok: false,
      issues: [{ path: "", message: `expected a draw.io document (<mxfile>), got <${file.name}>` }],
    };
  }
  if (issues.length) return { ok: false, issues };

  // The Quodsi page: the one whose cells carry Quodsi data.
  const quodsiPages = pages
    .map((p) => {
      const root = childElements(p.model).find((e) => e.name === "root");
      return { ...p, cells: root ? cellsOf(root) : [] };
    })
    .filter((p) =>
      p.cells.some((c) => "quodsiModel" in c.attrs || "quodsiData" in c.attrs || "quodsiVersion" in c.attrs),
    );
  if (quodsiPages.length === 0)
    return {
      ok: false,
      issues: [
        {
          path: "",
          message: "no Quodsi model in this draw.io document (no cell has quodsiModel or quodsiData)",
        },
      ],
    };
  if (quodsiPages.length > 1)
    return {
      ok: false,
      issues: [
        {
          path: quodsiPages[1].path,
          message: `${quodsiPages.length} pages carry a Quodsi model (${quodsiPages.map((p) => p.path).join(", ")}); import one page at a time`,
        },
      ],
    };
  const page = quodsiPages[0];
  const at = (rest: string) => (page.path ? `${page.path}.${rest}` : rest);

  // The root cell: id "0" (draw.io's convention), else the cell that carries quodsiModel.
  const rootCell =
    page.cells.find((c) => c.id === "0" && ("quodsiModel" in c.attrs || "quodsiVersion" in c.attrs)) ??
    page.cells.find((c) => "quodsiModel" in c.attrs);
  const rootPath = at(`cell[${rootCell?.id ?? "0"}].quodsiModel`);
  let document: Obj = {};
  if (rootCell && "quodsiModel" in rootCell.attrs) {
    const parsed = parseJsonAttribute(rootCell.attrs.quodsiModel, rootPath, issues);
    if (parsed !== undefined && !isObject(parsed))
      issues.push({ path: rootPath, message: "must be a JSON object" });
    else if (parsed) document = { ...parsed };
  } else {
    issues.push({
      path: rootPath,
      message:
        "the root cell has no quodsiModel attribute: the model's run settings (timeUnit, runTime, replications) are not in this document; open it in Quodsi and save it again",
    });
  }
  const version =
    rootCell?.attrs.quodsiVersion ||
    (typeof document.schemaVersion === "string" ? document.schemaVersion : undefined);

  // Shapes: each quodsiData joins its collection; its origin is remembered for error paths.
  const origins = new Map<string, string>();
  const seen = new Map<string, string>();
  for (const [key, list] of Object.entries(document))
    if (Array.isArray(list))
      list.forEach(
        (item, i) =>
          isObject(item) &&
          typeof item.id === "string" &&
          seen.set(`${key}:${item.id}`, `${rootPath}.${key}[${i}]`),
      );
  for (const c of page.cells) {
    if (!("quodsiData" in c.attrs) || c === rootCell) continue;
    const path = at(`cell[${c.id}].quodsiData`);
    const type = (c.attrs.quodsiType ?? "").toLowerCase();
    const collection = COLLECTION_OF[type];
    if (!collection) {
      warnings.push({
        path: at(`cell[${c.id}].quodsiType`),
        message: `unknown Quodsi shape type ${JSON.stringify(c.attrs.quodsiType ?? null)}, ignored`,
      });
      continue;
    }
    const data = parseJsonAttribute(c.attrs.quodsiData, path, issues);
    if (data === undefined) continue;
    if (!isObject(data)) {
      issues.push({ path, message: "must be a JSON object" });
      continue;
    }
    // A resource lane refers to a resource declared in quodsiModel: nothing to add.
    if (collection === "resources" && typeof data.resourceId === "string" && data.id === undefined) {
      if (!seen.has(`resources:${data.resourceId}`))
        issues.push({
          path: `${path}.resourceId`,
          message: `refers to resource "${data.resourceId}", which quodsiModel does not declare`,
        });
      continue;
    }
    const element: Obj = { ...data };
    if (element.id === undefined && c.id) element.id = c.id;
    if (collection === "connectors") {
      if (element.sourceId === undefined && c.cell.source) element.sourceId = c.cell.source;
      if (element.targetId === undefined && c.cell.target) element.targetId = c.cell.target;
    }
    const id = typeof element.id === "string" ? element.id : "";
    const twin = seen.get(`${collection}:${id}`);
    if (twin) {
      issues.push({ path: `${path}.id`, message: `"${id}" is already defined at ${twin}` });
      continue;
    }
    seen.set(`${collection}:${id}`, path);
    const list = Array.isArray(document[collection]) ? (document[collection] as unknown[]) : [];
    origins.set(`${collection}[${list.length}]`, path);
    document[collection] = [...list, element];
  }
  if (issues.length) return { ok: false, issues };

  // Files that declare no entity rely on Quodsi's default one.
  const entities: unknown[] = Array.isArray(document.entities) ? (document.entities as unknown[]) : [];
  const usesDefault = JSON.stringify(document.generators ?? []).includes(DEFAULT_ENTITY.id);
  if (usesDefault && !entities.some((e) => isObject(e) && e.id === DEFAULT_ENTITY.id))
    document.entities = [...entities, { ...DEFAULT_ENTITY }];

  const locate = (path: string): string => {
    const m = /^([A-Za-z]+\[\d+\])(.*)$/.exec(path);
    const origin = m ? origins.get(m[1]) : undefined;
    if (origin) return `${origin}${m![2]}`;
    return path ? `${rootPath}.${path}` : rootPath;
  };
  return { ok: true, value: { document, version, warnings, locate } };
}
