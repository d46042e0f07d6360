/**
 * Every string from an image, a registry or an imported file is hostile (docs/architecture.md,
 * "Fail closed"): one escaping function per medium it is shown in. Workflow commands (`::error …::`)
 * are escaped by @actions/core (`%`, CR, LF in the message; also `:` and `,` in properties);
 * their text goes through `escapeTerminal` first, as the Actions log is a terminal.
 */

/**
 * Characters that move the cursor, recolour or reorder what a reader sees, or hide in it: C0
 * (tab and newline too: one value, one line), DEL, C1, the Unicode bidi controls (UAX #9: ALM,
 * LRM, RLM, embeddings, overrides, isolates), zero-width characters, the line and paragraph
 * separators and lone surrogates.
 */
const INVISIBLE =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g

/** Terminal text (and plain text elsewhere): invisible characters become `\x1b`, `\u202e`. */
export function escapeTerminal(value: string): string {
  return value.replace(INVISIBLE, (char) => {
    const code = char.charCodeAt(0)
    return code <= 0xff
      ? `\\x${code.toString(16).padStart(2, '0')}`
      : `\\u${code.toString(16).padStart(4, '0')}`
  })
}

/**
 * GitHub-flavoured Markdown inline text, safe in a table cell: no raw HTML and no comment
 * marker (`<`, `>`, `&` as entities), no emphasis, code, links, images, math, strikethrough or
 * table pipes (CommonMark 2.4 backslash escapes), no line break, and no `@mention`, `#123` or
 * `GH-123` reference (GitHub links those in the rendered text, after any escape, so a
 * zero-width space follows `@` and `#` and splits `GH-`). Invisible characters show as in
 * `escapeTerminal`.
 */
export function escapeMarkdown(value: string): string {
  return escapeTerminal(value)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_[\]|~!$]/g, (char) => `\\${char}`)
    .replace(/[@#]/g, (char) => `${char}\u200b`)
    .replace(/\b(gh)-/gi, '$1\u200b-')
    .replace(/:\/\//g, ':\u200b//')
    .replace(/\b(www)\./gi, '$1\u200b.')
}

/**
 * XML 1.0 text and attribute values: the five predefined entities, CR as `&#13;` (a parser
 * would turn a raw one into LF), and characters XML 1.0 cannot carry even escaped (section 2.2,
 * Char: most of C0, lone surrogates, U+FFFE, U+FFFF) replaced by U+FFFD so a reader sees that
 * something was there.
 */
export function escapeXml(value: string): string {
  return value
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '\uFFFD')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&apos;')
    .replaceAll('\r', '&#13;')
}

/**
 * SARIF plain-text messages (§3.11.6): a `[` or `]` that is not part of an embedded link is
 * escaped with a backslash, so a path cannot become a link; invisible characters show as in
 * `escapeTerminal`.
 */
export function escapeSarifText(value: string): string {
  return escapeTerminal(value).replace(/[[\]]/g, (char) => `\\${char}`)
}
