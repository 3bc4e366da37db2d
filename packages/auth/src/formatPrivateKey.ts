// Repairs private key text whose line breaks were lost (pasted on one line, CRLF, literal "\n"), as Boomi's formatPrivateKey meant to.

/** An armor line: `-----BEGIN <LABEL>-----`; the label's words may be separated by any whitespace. */
const BEGIN = /-----BEGIN\s+([A-Z0-9]+(?:\s+[A-Z0-9]+)*)\s*-----/;
/** A PEM header token: `Proc-Type:` (value in the next token) or `Proc-Type:4,ENCRYPTED`. Base64 never holds a colon. */
const HEADER = /^([A-Za-z][A-Za-z0-9-]*):(.*)$/;
/** Base64 lines longer than this are re-wrapped. */
const MAX_LINE = 76;

/**
 * Rebuilds the line structure of PEM or OpenSSH private key text, so a key pasted into a
 * single-line field (newlines turned into spaces), with Windows line endings, with literal `\n`
 * escapes (from JSON or an environment variable) or with indentation still parses.
 *
 * The first `-----BEGIN …-----` … `-----END …-----` block is kept (text around it is dropped). Its
 * body is split on whitespace: `Name: value` header tokens (`Proc-Type: 4,ENCRYPTED`,
 * `DEK-Info: …` of an encrypted PEM key) become header lines followed by the blank line PEM
 * requires, and every other token becomes one base64 line (re-wrapped at 64 characters, 70 for
 * OpenSSH keys, only if a line is longer than 76). A well-formed key comes back unchanged but for a
 * single trailing newline.
 *
 * Unlike Boomi's `formatPrivateKey`, which kept a space only after words containing `BEGIN`, `RSA`,
 * `PRIVATE` or `END`, this handles every armor label (`OPENSSH PRIVATE KEY`, `EC PRIVATE KEY`,
 * `ENCRYPTED PRIVATE KEY`, …) and never splits a base64 chunk that happens to contain those words.
 *
 * Text without a complete armor block (a PuTTY `.ppk` key, garbage) is returned with only its line
 * endings normalized.
 *
 * @example
 * ```ts
 * formatPrivateKey("-----BEGIN OPENSSH PRIVATE KEY----- b3Bl… AAAE… -----END OPENSSH PRIVATE KEY-----");
 * // "-----BEGIN OPENSSH PRIVATE KEY-----\nb3Bl…\nAAAE…\n-----END OPENSSH PRIVATE KEY-----\n"
 * ```
 */
export function formatPrivateKey(content: string): string {
  const text = content.replace(/\\r\\n|\\n|\\r/g, "\n").replace(/\r\n?/g, "\n");
  const begin = BEGIN.exec(text);
  if (!begin) return text;
  const label = begin[1]!.split(/\s+/).join(" ");
  const bodyStart = begin.index + begin[0].length;
  const end = new RegExp(`-----END\\s+${label.split(" ").join("\\s+")}\\s*-----`).exec(text.slice(bodyStart));
  if (!end) return text;

  const tokens = text
    .slice(bodyStart, bodyStart + end.index)
    .split(/\s+/)
    .filter((token) => token !== "");
  const headers: string[] = [];
  let i = 0;
  for (; i < tokens.length; i++) {
    const header = HEADER.exec(tokens[i]!);
    if (!header) break;
    let value = header[2]!;
    if (value === "" && i + 1 < tokens.length) value = tokens[++i]!;
    headers.push(`${header[1]}: ${value}`);
  }
  let lines = tokens.slice(i);
  if (lines.some((line) => line.length > MAX_LINE)) {
    const width = label === "OPENSSH PRIVATE KEY" ? 70 : 64;
    const joined = lines.join("");
    lines = [];
    for (let at = 0; at < joined.length; at += width) lines.push(joined.slice(at, at + width));
  }
  const head = headers.length > 0 ? `${headers.join("\n")}\n\n` : "";
  const body = lines.length > 0 ? `${lines.join("\n")}\n` : "";
  return `-----BEGIN ${label}-----\n${head}${body}-----END ${label}-----\n`;
}
