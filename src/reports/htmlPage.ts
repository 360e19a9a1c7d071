// What every self-contained HTML page of ours starts with, and how text,
// scripts and data are put into one safely.

/** The page up to and including `<body>`: charset, viewport, title, the styles inline. */
export function pageStart(title: string, styles: readonly string[]): string[] {
  return [
    "<!doctype html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    ...styles.map((css) => `<style>${css}</style>`),
    "</head>",
    "<body>",
  ];
}

/** JSON that cannot end the script element it sits in (no "<", ">", "&", U+2028 or U+2029 left as is). */
export function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

/** Script text with no "</script" in it (inside strings, regular expressions and comments "<\/" means the same). */
export function scriptSafe(js: string): string {
  return js.replace(/<\/(script)/gi, "<\\/$1");
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}
