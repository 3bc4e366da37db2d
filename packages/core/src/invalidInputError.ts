// The INVALID_INPUT error of an operation for the problems its input and option checks found.
import { SftpConnectorError } from "./SftpConnectorError.js";

/**
 * One `INVALID_INPUT` error for a list of problem lines (each starting with its field): the message
 * is the problem itself when there is one, else `Invalid input to <operation>:` and a line per
 * problem; `problems` holds the lines.
 *
 * @example
 * ```ts
 * if (problems.length > 0) throw invalidInputError(problems, "get");
 * ```
 */
export function invalidInputError(problems: readonly string[], operation: string, path?: string): SftpConnectorError {
  const message = problems.length === 1 ? problems[0]! : `Invalid input to ${operation}:\n${problems.map((p) => `  - ${p}`).join("\n")}`;
  return new SftpConnectorError("INVALID_INPUT", message, { operation, problems, path });
}
