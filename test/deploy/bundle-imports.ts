/**
 * What a bundle would load at run time that is not in it: every module specifier its code loads
 * (static imports, `import()`, `require()` and esbuild's `__require` of CommonJS dependencies, which
 * the banner's createRequire backs) that is neither built into Node nor a file in the function's
 * code directory. In Lambda such a module fails when it is reached — at init for a static import,
 * only on its code path for a lazy one — so it is found here by parsing the code (TypeScript's
 * parser: text in strings and comments does not count), whichever paths the tests happen to run.
 */
import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import ts from 'typescript';

/** esbuild's shim for require() in ESM output, minified to some name: `var ce=(e=>typeof require<"u"?require:…`. */
const REQUIRE_SHIM = /var ([\w$]+)=\(?\(?([\w$]+)\)?=>typeof require<"u"\?require/;

/** Module specifiers the code loads. */
export function specifiersIn(code: string): string[] {
  const requireNames = new Set(['require']);
  const shim = REQUIRE_SHIM.exec(code);
  if (shim?.[1]) requireNames.add(shim[1]);
  const source = ts.createSourceFile('bundle.mjs', code, ts.ScriptTarget.Latest, false, ts.ScriptKind.JS);
  const found = new Set<string>();
  const literal = (node: ts.Node | undefined) => (node && ts.isStringLiteralLike(node) ? node.text : undefined);
  const visit = (node: ts.Node): void => {
    let specifier: string | undefined;
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) specifier = literal(node.moduleSpecifier);
    else if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const loads = callee.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(callee) && requireNames.has(callee.text));
      if (loads) specifier = literal(node.arguments[0]);
    }
    if (specifier !== undefined) found.add(specifier);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return [...found];
}

/** The specifiers of `code` (in a file of `dir`) that neither Node nor `dir` can satisfy. */
export function unresolvedIn(code: string, dir: string): string[] {
  return specifiersIn(code).filter((specifier) => {
    if (specifier.startsWith('node:') || builtinModules.includes(specifier)) return false;
    if (specifier.startsWith('./') || specifier.startsWith('../')) return !existsSync(path.resolve(dir, specifier));
    return true; // a package: a function's code has no node_modules
  });
}

export const unresolvedImports = (file: string): string[] => unresolvedIn(readFileSync(file, 'utf8'), path.dirname(file));
