// Expands CREATE's targetFileName/tempFileName templates: $BASE, $EXTENSION, $UUID, $TIME and $DATE.
import { randomUUID } from "node:crypto";
import { splitFileName } from "./splitFileName.js";

/** The variables a file name template may use, in the order Boomi replaces them. */
export const TEMPLATE_VARIABLES = ["$BASE", "$EXTENSION", "$UUID", "$TIME", "$DATE"] as const;

/** Values {@link expandFileNameTemplate} uses instead of the clock and a random UUID (for tests and reproducible names). */
export interface TemplateValues {
  /** The moment `$DATE` and `$TIME` show, in the process's local time zone. @default new Date() */
  now?: Date;
  /** The value of `$UUID`. @default a random UUID */
  uuid?: string;
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/**
 * Expands a file name template for the entered file name: `$BASE` (the name without its
 * extension), `$EXTENSION` (the extension without its dot; empty when none), `$UUID` (a random
 * UUID), `$TIME` (`HHmmss.SSS`) and `$DATE` (`yyyyMMdd`), both in local time, as Boomi does.
 * Example: `$BASE_$DATE.$EXTENSION` for `orders.csv` → `orders_20240131.csv`.
 *
 * Unlike Boomi's five successive `String.replace` calls, this is one pass: text a variable
 * expands to is not scanned again, so a file named `a$DATE.txt` keeps `$DATE` in `$BASE`.
 * A name that starts with `.` has no extension (`.bashrc` → `$BASE` = `.bashrc`; Boomi's `$BASE` is empty there).
 */
export function expandFileNameTemplate(template: string, fileName: string, values: TemplateValues = {}): string {
  const { base, extension } = splitFileName(fileName);
  const now = values.now ?? new Date();
  const expansions: Record<string, string> = {
    BASE: base,
    EXTENSION: extension,
    UUID: values.uuid ?? randomUUID(),
    TIME: `${pad(now.getHours())}${pad(now.getMinutes())}${pad(now.getSeconds())}.${pad(now.getMilliseconds(), 3)}`,
    DATE: `${now.getFullYear()}${pad(now.getMonth() + 1)}${pad(now.getDate())}`,
  };
  return template.replace(/\$(BASE|EXTENSION|UUID|TIME|DATE)/g, (_match, name: string) => expansions[name]!);
}
