// Readable tables for the CLI: aligned columns, control characters shown escaped, whole or streamed.

/** One column of a table. */
export interface Column<Row> {
  /** The header text. */
  header: string;
  /** The cell of a row. `undefined` prints as empty. */
  value: (row: Row) => string | number | boolean | undefined;
  /** Alignment (numbers read best right-aligned). @default "left" */
  align?: "left" | "right";
  /** Least width, for tables streamed before all rows are known. @default the header's width */
  minWidth?: number;
}

/** Options of {@link formatTable} and {@link TableWriter}. */
export interface FormatTableOptions {
  /** Print the header line. @default true */
  header?: boolean;
}

/** The gap between columns. */
const GAP = "  ";

/**
 * A cell as printable text: C0/C1 control characters, DEL and line or paragraph separators
 * become `\xNN` / `\uNNNN` escapes, so a server-chosen name cannot move the cursor, clear the
 * screen or break a row.
 */
export function sanitizeCell(value: string | number | boolean | undefined): string {
  if (value === undefined) return "";
  return String(value).replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (ch) => {
    const code = ch.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
  });
}

/** Display width of a sanitized cell: its code points. */
const widthOf = (text: string): number => [...text].length;

function pad(text: string, width: number, align: "left" | "right"): string {
  const fill = " ".repeat(Math.max(0, width - widthOf(text)));
  return align === "right" ? fill + text : text + fill;
}

/** One line: cells padded to `widths`, the last left-aligned cell not padded (no trailing spaces). */
function formatLine(cells: readonly string[], widths: readonly number[], aligns: readonly ("left" | "right")[]): string {
  const last = cells.length - 1;
  return cells.map((cell, i) => (i === last && aligns[i] !== "right" ? cell : pad(cell, widths[i] ?? 0, aligns[i] ?? "left"))).join(GAP);
}

function cellsOf<Row>(columns: readonly Column<Row>[], row: Row): string[] {
  return columns.map((column) => sanitizeCell(column.value(row)));
}

/**
 * Formats rows as aligned text lines: a header line (unless `header: false`), then one line per
 * row, columns two spaces apart, right-aligned columns padded on the left. Returns the lines
 * (without line ends); no rows gives no lines at all, not even the header.
 *
 * @example
 * ```ts
 * formatTable([{ header: "NAME", value: (r) => r.name }, { header: "SIZE", value: (r) => r.size, align: "right" }], rows);
 * ```
 */
export function formatTable<Row>(columns: readonly Column<Row>[], rows: readonly Row[], options: FormatTableOptions = {}): string[] {
  if (rows.length === 0) return [];
  const showHeader = options.header ?? true;
  const body = rows.map((row) => cellsOf(columns, row));
  const headers = columns.map((column) => sanitizeCell(column.header));
  const widths = columnWidths(columns, headers, body, showHeader);
  const aligns = columns.map((column) => column.align ?? "left");
  return [...(showHeader ? [formatLine(headers, widths, aligns)] : []), ...body.map((cells) => formatLine(cells, widths, aligns))];
}

/** Each column's width: its widest cell, its header (when shown) and its `minWidth`. */
function columnWidths<Row>(columns: readonly Column<Row>[], headers: readonly string[], body: readonly string[][], showHeader: boolean): number[] {
  return columns.map((column, i) => {
    let width = Math.max(column.minWidth ?? 0, showHeader ? widthOf(headers[i] ?? "") : 0);
    for (const cells of body) width = Math.max(width, widthOf(cells[i] ?? ""));
    return width;
  });
}

/** Options of {@link TableWriter}. */
export interface TableWriterOptions extends FormatTableOptions {
  /**
   * Rows held back to size the columns before the first line is written; later rows are written
   * at once with those widths (a longer cell pushes its line's later cells right). 0 writes every
   * row at once, with widths from the headers and `minWidth`.
   * @default 200
   */
  bufferRows?: number;
}

/**
 * A table written while its rows arrive (a listing of any size, or events as they happen), so
 * memory does not grow with the row count: the first `bufferRows` rows size the columns.
 */
export class TableWriter<Row> {
  private readonly pending: Row[] = [];
  private widths: number[] | undefined;
  private readonly aligns: ("left" | "right")[];
  private readonly bufferRows: number;
  private readonly showHeader: boolean;

  constructor(
    private readonly columns: readonly Column<Row>[],
    private readonly write: (line: string) => Promise<void> | void,
    options: TableWriterOptions = {},
  ) {
    this.aligns = columns.map((column) => column.align ?? "left");
    this.bufferRows = Math.max(0, options.bufferRows ?? 200);
    this.showHeader = options.header ?? true;
  }

  /** Adds a row: held back while the columns are being sized, else written at once. */
  async add(row: Row): Promise<void> {
    if (this.widths === undefined) {
      this.pending.push(row);
      if (this.pending.length > this.bufferRows) await this.flush();
      return;
    }
    await this.write(formatLine(cellsOf(this.columns, row), this.widths, this.aligns));
  }

  /** Writes the rows still held back (call once at the end). */
  async end(): Promise<void> {
    if (this.widths === undefined && this.pending.length > 0) await this.flush();
  }

  private async flush(): Promise<void> {
    const body = this.pending.map((row) => cellsOf(this.columns, row));
    const headers = this.columns.map((column) => sanitizeCell(column.header));
    const widths = columnWidths(this.columns, headers, body, this.showHeader);
    this.widths = widths;
    this.pending.length = 0;
    if (this.showHeader) await this.write(formatLine(headers, widths, this.aligns));
    for (const cells of body) await this.write(formatLine(cells, widths, this.aligns));
  }
}
