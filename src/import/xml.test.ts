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
    ["<a><b></a>", /closing tag 'b'.*line 1, column 7/],
    ['<a x="1" x="2"/>', /Attribute 'x' is repeated.*line 1, column 10/],
    ["<a x=1/>", /Attribute 'x' is without value.*line 1, column 4/],
    ["<a>& b</a>", /char '&' is not expected.*line 1, column 4/],
    ["text", /char 't' is not expected.*line 1, column 1/],
    ["<a>", /Unclosed tag 'a'/],
    ["<a><!-- open </a>", /Unclosed tag 'a'/],
    ['<a x="1"y="2"/>', /Attribute 'y' has no space.*line 1, column 9/],
    [
      '<?xml version="1.0"?>\n<!DOCTYPE a [<!ENTITY x "y">]><a/>',
      /document type declaration is not allowed at line 2, column 1/,
    ],
    ["", /Start tag expected/],
    ["<a/><b/>", /one root element, found 2/],
    ["<a>&nbsp;</a>", /unknown entity "&nbsp;" in the text of <a>/],
    ['<a x="&#0;"/>', /invalid character reference "&#0;" in attribute x of <a>/],
    ['<a x="&#x110000;"/>', /invalid character reference/],
  ])("refuses %s, saying where", (xml, message) => {
    expect(() => parseXml(xml)).toThrow(message);
  });

  it("decodes each reference once: an escaped ampersand stays literal", () => {
    expect(parseXml('<a x="&amp;#65; &#10;"/>').attributes.x).toBe("&#65; \n");
  });

  it("refuses nesting deeper than its limit", () => {
    const deep = "<a>".repeat(MAX_XML_DEPTH + 1) + "</a>".repeat(MAX_XML_DEPTH + 1);
    expect(() => parseXml(deep)).toThrow(/nested more than/);
    const ok = "<a>".repeat(MAX_XML_DEPTH) + "</a>".repeat(MAX_XML_DEPTH);
    expect(parseXml(ok).name).toBe("a");
  });
});
