import { describe, expect, it } from "vitest";
import { childElements, MAX_XML_DEPTH, parseXml, textOf } from "./xml.js";

describe("the draw.io XML reader", () => {
  it("reads elements, attributes in either quotes, entities, character references, CDATA and comments", () => {
    const root = parseXml(
      `\uFEFF<?xml version="1.0"?>\n<!-- c --><a x="1 &amp; 2" y='&quot;q&quot; &#65;&#x42;'><b/><!-- skip --><c>t &lt; u<![CDATA[<raw>&amp;]]></c></a>\n`,
    );
    expect(root).toMatchObject({ name: "a", attributes: { x: "1 & 2", y: '"q" AB' } });
    const [b, c] = childElements(root);
    expect(b).toEqual({ name: "b", attributes: {}, children: [] });
    expect(textOf(c)).toBe("t < u<raw>&amp;");
  });

  it.each([
    ["<a><b></a>", /<\/a> closes <b>/],
    ['<a x="1" x="2"/>', /duplicate attribute x/],
    ["<a x=1/>", /quoted value/],
    ['<a x="<"/>', /"<" in the value/],
    ["<a>&nbsp;</a>", /unknown entity "&nbsp;"/],
    ["<a>&#0;</a>", /invalid character reference/],
    ["<a>& b</a>", /unterminated entity/],
    ["<a/><b/>", /content after the root element/],
    ["text", /text before the root element/],
    ["", /no root element/],
    ["<a>", /<a> is not closed/],
    ['<!DOCTYPE a [<!ENTITY x "y">]><a/>', /document type declaration/],
    ["<a><!-- open </a>", /unterminated comment/],
    ['<a x="1"y="2"/>', /whitespace between attributes/],
  ])("refuses %s, saying where", (xml, message) => {
    expect(() => parseXml(xml)).toThrow(message);
    if (xml) expect(() => parseXml(xml)).toThrow(/line \d+, column \d+/);
  });

  it("refuses nesting deeper than its limit", () => {
    const deep = "<a>".repeat(MAX_XML_DEPTH + 1) + "</a>".repeat(MAX_XML_DEPTH + 1);
    expect(() => parseXml(deep)).toThrow(/nested more than/);
    const ok = "<a>".repeat(MAX_XML_DEPTH) + "</a>".repeat(MAX_XML_DEPTH);
    expect(parseXml(ok).name).toBe("a");
  });
});
