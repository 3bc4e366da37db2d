// Type-checks consumer projects in-process with the TypeScript API, as `tsc -p` with skipLibCheck: false does, checking the identical consumer-supplied @types/node only once per mode.
import ts from "typescript";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";

/** What one type check of a consumer project found. */
export interface ConsumerTypeCheck {
  /** Every error, formatted as `tsc` prints it (file, line, code, message); empty when the project compiles. */
  errors: string;
  /** Files of the program handed to the checker (TypeScript's own lib files among them are skipped by `skipDefaultLibCheck` as in `tsc`). */
  checked: string[];
  /** Files of the consumer's own `@types/node` (and its `undici-types`) not checked again because the same versions were checked in full earlier in the same mode. */
  skipped: string[];
}

/** Checks one consumer project: `tsconfig` is the path of its tsconfig file; `mode` names the compiler options it holds (the same options for the same mode). */
export type ConsumerTypeChecker = (tsconfig: string, mode: string) => ConsumerTypeCheck;

/**
 * Returns a checker that reports the diagnostics `tsc -p tsconfig` would (syntactic, options, global, and semantic of every
 * declaration file, as with `skipLibCheck: false`), with two savings: TypeScript's own lib files are parsed once per mode and
 * shared between programs (as the language service does; `skipDefaultLibCheck` leaves them unchecked anyway), and the consumer's
 * `@types/node` + `undici-types`, which every consumer installs itself at the same versions, are checked in full the first time
 * a mode meets those versions and not again. Their types still resolve and are used by every check; only their own bodies are not
 * re-verified, so an error that a program would raise inside `@types/node` itself and no earlier program did goes unseen. A missing
 * or broken dependency of a package still fails: its errors are reported in the package's declaration files, always checked.
 */
export function createConsumerTypeChecker(): ConsumerTypeChecker {
  const libFiles = new Map<string, ts.SourceFile>();
  const nodeTypesChecked = new Set<string>();
  return (tsconfig, mode) => {
    const project = dirname(tsconfig);
    const parsed = ts.getParsedCommandLineOfConfigFile(tsconfig, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
    if (!parsed) throw new Error(`${tsconfig}: not a readable tsconfig`);
    const options = parsed.options;
    const libDir = dirname(ts.getDefaultLibFilePath(options));
    const host = ts.createCompilerHost(options);
    const getSourceFile = host.getSourceFile.bind(host);
    host.getSourceFile = (fileName, languageVersionOrOptions, onError, shouldCreate) => {
      if (dirname(fileName) !== libDir) return getSourceFile(fileName, languageVersionOrOptions, onError, shouldCreate);
      const key = `${mode}\0${fileName}\0${JSON.stringify(languageVersionOrOptions)}`;
      let file = libFiles.get(key);
      if (!file) {
        file = getSourceFile(fileName, languageVersionOrOptions, onError, shouldCreate);
        if (file) libFiles.set(key, file);
      }
      return file;
    };
    const program = ts.createProgram({ rootNames: parsed.fileNames, options, host, configFileParsingDiagnostics: parsed.errors });

    const nodeTypes = [join(project, "node_modules", "@types", "node") + "/", join(project, "node_modules", "undici-types") + "/"];
    const nodeTypesKey = `${mode}\0${nodeTypes.map((dir) => versionOf(dir)).join("\0")}`;
    const skipNodeTypes = nodeTypesChecked.has(nodeTypesKey);
    const diagnostics: ts.Diagnostic[] = [...program.getConfigFileParsingDiagnostics(), ...program.getOptionsDiagnostics()];
    const checked: string[] = [];
    const skipped: string[] = [];
    for (const file of program.getSourceFiles()) {
      diagnostics.push(...program.getSyntacticDiagnostics(file));
      if (skipNodeTypes && nodeTypes.some((dir) => file.fileName.startsWith(dir))) {
        skipped.push(file.fileName);
        continue;
      }
      checked.push(file.fileName);
      diagnostics.push(...program.getSemanticDiagnostics(file));
    }
    diagnostics.push(...program.getGlobalDiagnostics());
    if (diagnostics.length === 0 && !skipNodeTypes) nodeTypesChecked.add(nodeTypesKey);
    const errors = ts.formatDiagnostics(diagnostics, { getCanonicalFileName: (name) => name, getCurrentDirectory: () => project, getNewLine: () => "\n" });
    return { errors, checked, skipped };
  };
}

/** The version in `dir`'s package.json, or "absent". */
function versionOf(dir: string): string {
  const manifest = join(dir, "package.json");
  return existsSync(manifest) ? String(JSON.parse(readFileSync(manifest, "utf8")).version) : "absent";
}
