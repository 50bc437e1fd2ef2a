/**
 * Model import: turns what a user has (a Quodsi JSON document, clean or
 * legacy, or a draw.io file with a Quodsi model in it) into one clean wire
 * document, and records where it came from. Pure (no database or GraphQL):
 * the model service validates the result like any clean definition.
 */
import { isObject } from "../simulation/model/issues.js";
import type { ValidationIssue } from "../simulation/index.js";
import { assembleDrawio } from "./drawio.js";
import { isLegacyDocument, upConvertLegacy } from "./legacy.js";

/** Formats a model can be imported from; the GraphQL enum ModelFormat is built from this list. */
export const MODEL_FORMATS = ["QUODSI_JSON", "DRAWIO"] as const;
export type ModelFormat = (typeof MODEL_FORMATS)[number];

/** Where a stored definition came from. */
export interface ModelSource {
  format: ModelFormat;
  /** The version the document was written in (`schemaVersion`, or draw.io's `quodsiVersion`), if it says. */
  schemaVersion: string | null;
  /** True when the document was in the legacy verbose format and was up-converted to clean wire. */
  upConverted: boolean;
}

export interface ImportedDefinition {
  /** The clean wire document to validate and store. */
  definition: unknown;
  source: ModelSource;
  /** Accepted but worth saying (a draw.io shape of an unknown kind, ignored). */
  warnings: ValidationIssue[];
  /** Maps a path in `definition` to where the value is in what the user gave (draw.io cells). */
  locate: (path: string) => string;
}

export type ImportResult = { ok: true; value: ImportedDefinition } | { ok: false; issues: ValidationIssue[] };

const same = (path: string) => path;
const versionOf = (doc: unknown): string | null =>
  isObject(doc) && typeof doc.schemaVersion === "string" ? doc.schemaVersion : null;

/**
 * Which format `definition` is in when the caller does not say: a string
 * that starts with "<" is draw.io XML, any other string or a JSON object is
 * Quodsi JSON.
 */
export function detectFormat(definition: unknown): ModelFormat {
  return typeof definition === "string" && definition.trimStart().startsWith("<") ? "DRAWIO" : "QUODSI_JSON";
}

/**
 * Converts `definition` (given in `format`, detected when absent) to clean
 * wire. Problems are reported with paths relative to what was given: JSON
 * paths for Quodsi JSON; `diagram[i].cell[id].quodsiData…` for draw.io.
 */
export function importDefinition(definition: unknown, format?: ModelFormat): ImportResult {
  const fmt = format ?? detectFormat(definition);
  if (fmt === "DRAWIO") {
    if (typeof definition !== "string")
      return {
        ok: false,
        issues: [{ path: "", message: "a draw.io definition must be the XML document as a string" }],
      };
    const assembled = assembleDrawio(definition);
    if (!assembled.ok) return assembled;
    const { document, version, warnings, locate } = assembled.value;
    const legacy = isLegacyDocument({ ...document, schemaVersion: version ?? document.schemaVersion });
    const converted = legacy ? upConvertLegacy(document) : { value: document, issues: [] };
    if (converted.issues.length)
      return {
        ok: false,
        issues: converted.issues.map((i) => ({ path: locate(i.path), message: i.message })),
      };
    return {
      ok: true,
      value: {
        definition: converted.value,
        source: { format: "DRAWIO", schemaVersion: version ?? null, upConverted: legacy },
        warnings,
        locate,
      },
    };
  }

  let doc = definition;
  if (typeof definition === "string") {
    try {
      doc = JSON.parse(definition) as unknown;
    } catch (err) {
      return { ok: false, issues: [{ path: "", message: `not valid JSON: ${(err as Error).message}` }] };
    }
  }
  const schemaVersion = versionOf(doc);
  if (!isLegacyDocument(doc))
    return {
      ok: true,
      value: {
        definition: doc,
        source: { format: "QUODSI_JSON", schemaVersion, upConverted: false },
        warnings: [],
        locate: same,
      },
    };
  const converted = upConvertLegacy(doc as Record<string, unknown>);
  if (converted.issues.length) return { ok: false, issues: converted.issues };
  return {
    ok: true,
    value: {
      definition: converted.value,
      source: { format: "QUODSI_JSON", schemaVersion, upConverted: true },
      warnings: [],
      locate: same,
    },
  };
}
