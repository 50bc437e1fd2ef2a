/**
 * Tokenizer for the expression and script language (see `expressions.ts`).
 *
 * It follows Python's lexical rules closely enough that a source Quodsi
 * accepts tokenizes the same way: `#` comments, implicit line joining inside
 * brackets, INDENT/DEDENT from leading whitespace (scripts only), and every
 * Python operator as a token, so the parser can refuse the unsupported ones
 * with a precise message instead of "unexpected character".
 */

/** A problem found in an expression or script; `line` and `column` are 1-based. */
export interface ExprIssue {
  line: number;
  column?: number;
  message: string;
}

export type TokenKind = "number" | "string" | "name" | "op" | "newline" | "indent" | "dedent" | "eof";

export interface Token {
  kind: TokenKind;
  /** Source text (operators and names), the decoded value for strings. */
  text: string;
  /** Numeric value of a `number` token. */
  num: number;
  line: number;
  column: number;
  /** Offsets into the source, `end` exclusive. */
  start: number;
  end: number;
}

export type LexResult = { ok: true; tokens: Token[] } | { ok: false; issues: ExprIssue[] };

// Longest first, so `//=` wins over `//` and `/`.
const OPERATORS = [
  "**=",
  "//=",
  ">>=",
  "<<=",
  "...",
  "**",
  "//",
  "==",
  "!=",
  "<=",
  ">=",
  "+=",
  "-=",
  "*=",
  "/=",
  "%=",
  "&=",
  "|=",
  "^=",
  "@=",
  "->",
  ":=",
  "<<",
  ">>",
  "+",
  "-",
  "*",
  "/",
  "%",
  "<",
  ">",
  "=",
  "(",
  ")",
  "[",
  "]",
  "{",
  "}",
  ",",
  ":",
  ".",
  ";",
  "&",
  "|",
  "^",
  "~",
  "@",
];

const NAME = /[\p{ID_Start}_]\p{ID_Continue}*/uy;
const NUMBER = /(?:\d(?:_?\d)*(?:\.(?:\d(?:_?\d)*)?)?|\.\d(?:_?\d)*)(?:[eE][+-]?\d(?:_?\d)*)?/y;
const STRING_PREFIX = /^(?:[rRbBuUfF]|[rR][bBfF]|[bBfF][rR])$/;
const ESCAPES: Record<string, string> = { "\\": "\\", "'": "'", '"': '"', n: "\n", t: "\t", r: "\r" };

class LexError extends Error {
  constructor(
    readonly line: number,
    readonly column: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Splits `source` into tokens. In `script` mode leading whitespace produces
 * INDENT/DEDENT tokens (Python's rule: a deeper line must extend the enclosing
 * indentation string, a shallower one must match an enclosing level exactly,
 * so tabs and spaces cannot be mixed ambiguously). In expression mode all
 * whitespace is insignificant except newlines outside brackets.
 * Stops at the first lexical error: later tokens would only add noise.
 */
export function tokenize(source: string, mode: "expression" | "script"): LexResult {
  const tokens: Token[] = [];
  const indents: string[] = [""];
  let pos = 0;
  let line = 1;
  let lineStart = 0;
  let depth = 0;
  let atLineStart = true;
  const push = (kind: TokenKind, text: string, start: number, end: number, num = 0): void => {
    tokens.push({ kind, text, num, line, column: start - lineStart + 1, start, end });
  };
  const fail = (at: number, message: string): never => {
    throw new LexError(line, at - lineStart + 1, message);
  };
  try {
    while (pos < source.length) {
      if (atLineStart && depth === 0 && mode === "script") {
        let p = pos;
        while (source[p] === " " || source[p] === "\t" || source[p] === "\f") p++;
        const c = source[p];
        if (c === undefined || c === "\n" || c === "\r" || c === "#") {
          // Blank or comment-only line: no NEWLINE, no indentation change.
          while (p < source.length && source[p] !== "\n" && source[p] !== "\r") p++;
          pos = p;
          if (pos < source.length) pos = newline(pos);
          continue;
        }
        const indent = source.slice(pos, p);
        const top = indents[indents.length - 1];
        if (indent !== top) {
          if (indent.startsWith(top)) {
            indents.push(indent);
            push("indent", indent, pos, p);
          } else {
            while (indents.length > 1 && indents[indents.length - 1] !== indent) {
              if (!indents[indents.length - 1].startsWith(indent)) break;
              indents.pop();
              push("dedent", "", p, p);
            }
            if (indents[indents.length - 1] !== indent) fail(p, "indentation does not match any outer block");
          }
        }
        pos = p;
        atLineStart = false;
      }
      const c = source[pos];
      if (c === " " || c === "\t" || c === "\f") {
        pos++;
      } else if (c === "#") {
        while (pos < source.length && source[pos] !== "\n" && source[pos] !== "\r") pos++;
      } else if (c === "\n" || c === "\r") {
        if (depth === 0) {
          const last = tokens[tokens.length - 1];
          if (last !== undefined && last.kind !== "newline") push("newline", "", pos, pos);
          atLineStart = true;
        }
        pos = newline(pos);
      } else if (c === "\\") {
        fail(pos, "line continuation with '\\' is not supported");
      } else if (c >= "0" && c <= "9") {
        lexNumber();
      } else if (c === "." && /[0-9]/.test(source[pos + 1] ?? "")) {
        lexNumber();
      } else if (c === '"' || c === "'") {
        lexString(pos);
      } else if (startsName(pos)) {
        const end = NAME.lastIndex;
        const text = source.slice(pos, end);
        if ((source[end] === '"' || source[end] === "'") && STRING_PREFIX.test(text)) {
          fail(pos, `string prefixes such as ${text}"..." are not supported`);
        }
        push("name", text, pos, end);
        pos = end;
      } else {
        const op = OPERATORS.find((o) => source.startsWith(o, pos));
        if (op === undefined)
          fail(pos, `unexpected character '${String.fromCodePoint(source.codePointAt(pos) ?? 0)}'`);
        const text = op as string;
        if (text === "(" || text === "[" || text === "{") depth++;
        if ((text === ")" || text === "]" || text === "}") && depth > 0) depth--;
        push("op", text, pos, pos + text.length);
        pos += text.length;
      }
    }
    const last = tokens[tokens.length - 1];
    if (last !== undefined && last.kind !== "newline") push("newline", "", pos, pos);
    while (indents.length > 1) {
      indents.pop();
      push("dedent", "", pos, pos);
    }
    push("eof", "", pos, pos);
    return { ok: true, tokens };
  } catch (e) {
    if (e instanceof LexError)
      return { ok: false, issues: [{ line: e.line, column: e.column, message: e.message }] };
    throw e;
  }

  function startsName(p: number): boolean {
    NAME.lastIndex = p;
    return NAME.test(source);
  }

  function newline(p: number): number {
    const next = source[p] === "\r" && source[p + 1] === "\n" ? p + 2 : p + 1;
    line++;
    lineStart = next;
    return next;
  }

  function lexNumber(): void {
    NUMBER.lastIndex = pos;
    const m = NUMBER.exec(source);
    const text = m ? m[0] : "";
    const end = pos + text.length;
    const after = source[end] ?? "";
    if (text === "" || /[\p{ID_Continue}.]/u.test(after)) {
      const bad = /^0[xXoObB]/.test(source.slice(pos, pos + 2))
        ? "only decimal numbers are supported"
        : `invalid number '${source.slice(pos, end + 1)}'`;
      fail(pos, bad);
    }
    if (/^0+[0-9_]*[1-9]/.test(text) && !/[.eE]/.test(text)) {
      fail(pos, `leading zeros are not allowed in '${text}' (Python refuses them)`);
    }
    push("number", text, pos, end, Number(text.replaceAll("_", "")));
    pos = end;
  }

  function lexString(start: number): void {
    const q = source[start];
    if (source[start + 1] === q && source[start + 2] === q)
      fail(start, "triple-quoted strings are not supported");
    let p = start + 1;
    let value = "";
    for (;;) {
      const ch = source[p];
      if (ch === undefined || ch === "\n" || ch === "\r") fail(start, "unterminated string");
      if (ch === q) break;
      if (ch === "\\") {
        const esc = ESCAPES[source[p + 1] ?? ""];
        if (esc === undefined) fail(p, `unsupported escape '\\${source[p + 1] ?? ""}' in a string`);
        value += esc;
        p += 2;
      } else {
        value += ch;
        p++;
      }
    }
    push("string", value, start, p + 1);
    pos = p + 1;
  }
}

// ---- vocabulary shared with the parser ------------------------------------

/** Callable names with their [min, max] argument counts. */
export const FUNCTION_ARITY: Record<string, [min: number, max: number]> = {
  abs: [1, 1],
  min: [2, Infinity],
  max: [2, Infinity],
  round: [1, 2],
  now: [0, 0],
  get_state: [1, 1],
  set_state: [2, 2],
};
export const COMPARE_OPS = new Set(["==", "!=", "<", "<=", ">", ">="]);
export const AUG_OPS = new Set(["+=", "-=", "*=", "/=", "%=", "//="]);
/** Python statements and keywords outside the subset, with the reason shown to the author. */
export const REFUSED_STATEMENTS: Record<string, string> = {
  for: "'for' loops are not supported",
  while: "'while' loops are not supported",
  def: "function definitions ('def') are not supported",
  class: "'class' is not supported",
  import: "'import' is not supported",
  from: "'import' is not supported",
  return: "'return' is not supported",
  lambda: "'lambda' is not supported",
  with: "'with' is not supported",
  try: "'try' is not supported",
  raise: "'raise' is not supported",
  del: "'del' is not supported",
  global: "'global' is not supported",
  nonlocal: "'nonlocal' is not supported",
  assert: "'assert' is not supported",
  yield: "'yield' is not supported",
  async: "'async' is not supported",
  await: "'await' is not supported",
  break: "'break' is not supported (there are no loops)",
  continue: "'continue' is not supported (there are no loops)",
};
/** Python keywords: never a state name or assignable local. */
export const KEYWORDS = new Set([
  ...Object.keys(REFUSED_STATEMENTS),
  ...["False", "None", "True", "and", "as", "elif", "else", "except", "finally", "if", "in", "is"],
  ...["not", "or", "pass"],
]);
/** Python operators outside the subset, with the reason shown to the author. */
export const REFUSED_OPERATORS: Record<string, string> = {
  "**": "'**' (power) is not supported",
  "@": "'@' is not supported",
  "|": "bitwise '|' is not supported (use 'or')",
  "&": "bitwise '&' is not supported (use 'and')",
  "^": "bitwise '^' is not supported",
  "~": "bitwise '~' is not supported (use 'not')",
  "<<": "'<<' is not supported",
  ">>": "'>>' is not supported",
  ":=": "assignment expressions (':=') are not supported",
  ".": "attribute access (a.b) is not supported",
  "[": "subscripts and lists are not supported",
  "{": "dicts and sets are not supported",
  ";": "one statement per line (';' is not supported)",
  ",": "tuples are not supported",
  "...": "'...' is not supported",
};
