/**
 * The XML reading of draw.io documents, on fast-xml-parser (a well-kept,
 * dependency-light parser with a validator that names line and column):
 * elements, attributes, text, comments, CDATA and the XML declaration come
 * back as one small element tree. A document type declaration (and with it
 * any custom entity) is refused outright, so entity expansion attacks cannot
 * happen; only the five predefined entities and character references are
 * decoded, here, in one pass (so "&amp;#65;" stays "&#65;"); CDATA is kept
 * as it is. Nesting is capped at MAX_XML_DEPTH.
 */
import { XMLParser, XMLValidator } from "fast-xml-parser";

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlNode[];
}
export type XmlNode = XmlElement | string;

export class XmlSyntaxError extends Error {
  override name = "XmlSyntaxError";
}

/** Elements nested deeper than this are refused (a draw.io document needs about eight). */
export const MAX_XML_DEPTH = 64;

const TEXT = "#text";
const CDATA = "#cdata";
const ATTRIBUTES = ":@";
const PREDEFINED: Readonly<Record<string, string>> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

/** Decodes the predefined entities and character references of an attribute value or a text. */
function decodeEntities(raw: string, where: string): string {
  if (!raw.includes("&")) return raw;
  return raw.replace(/&([^;&\s]*);?/g, (match, body: string) => {
    if (!match.endsWith(";"))
      throw new XmlSyntaxError(`unterminated entity reference "${match}" in ${where}`);
    if (Object.hasOwn(PREDEFINED, body)) return PREDEFINED[body];
    const numeric = /^#(x[0-9A-Fa-f]+|[0-9]+)$/.exec(body);
    const code = numeric ? parseInt(numeric[1].replace("x", "0x"), undefined) : NaN;
    if (numeric && code > 0 && code <= 0x10ffff) return String.fromCodePoint(code);
    if (numeric) throw new XmlSyntaxError(`invalid character reference "${match}" in ${where}`);
    throw new XmlSyntaxError(
      `unknown entity "${match}" in ${where} (only the predefined XML entities are allowed)`,
    );
  });
}

/** fast-xml-parser's ordered output: one key naming the element (or "#text"), plus ":@" for attributes. */
type OrderedNode = Record<string, unknown>;

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: "",
  parseAttributeValue: false,
  parseTagValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  processEntities: false,
  cdataPropName: CDATA,
});

function position(text: string, at: number): string {
  const before = text.slice(0, at);
  return `at line ${before.split("\n").length}, column ${at - before.lastIndexOf("\n")}`;
}

function toElement(node: OrderedNode, depth: number): XmlElement {
  if (depth > MAX_XML_DEPTH) throw new XmlSyntaxError(`elements are nested more than ${MAX_XML_DEPTH} deep`);
  const name = Object.keys(node).find((key) => key !== ATTRIBUTES)!;
  const attributes: Record<string, string> = {};
  for (const [key, value] of Object.entries((node[ATTRIBUTES] as Record<string, string> | undefined) ?? {}))
    attributes[key] = decodeEntities(value, `attribute ${key} of <${name}>`);
  const children = (node[name] as OrderedNode[]).map((child): XmlNode => {
    if (TEXT in child) return decodeEntities(String(child[TEXT]), `the text of <${name}>`);
    if (CDATA in child) return (child[CDATA] as OrderedNode[]).map((c) => String(c[TEXT])).join("");
    return toElement(child, depth + 1);
  });
  return { name, attributes, children };
}

/**
 * Parses one XML document into its root element. Whitespace-only text
 * between elements is dropped; other text is kept, decoded.
 */
export function parseXml(text: string): XmlElement {
  const doctype = /<!DOCTYPE/i.exec(text);
  if (doctype)
    throw new XmlSyntaxError(`a document type declaration is not allowed ${position(text, doctype.index)}`);
  const valid = XMLValidator.validate(text, { allowBooleanAttributes: false });
  if (valid !== true) {
    const at = Number.isInteger(valid.err.col) ? `at line ${valid.err.line}, column ${valid.err.col}` : "";
    throw new XmlSyntaxError(`${valid.err.msg} ${at}`.trim());
  }
  let nodes: OrderedNode[];
  try {
    nodes = parser.parse(text) as OrderedNode[];
  } catch (err) {
    throw new XmlSyntaxError(err instanceof Error ? err.message : String(err));
  }
  const roots = nodes.filter((node) => !(TEXT in node));
  if (roots.length !== 1) throw new XmlSyntaxError(`expected one root element, found ${roots.length}`);
  return toElement(roots[0], 1);
}

export const childElements = (el: XmlElement): XmlElement[] =>
  el.children.filter((c): c is XmlElement => typeof c !== "string");

/** The element's text, its text children joined. */
export const textOf = (el: XmlElement): string => el.children.filter((c) => typeof c === "string").join("");
