/**
 * The shape of src/: no import cycle among its modules (a type-only import
 * counts: it ties the modules' meaning together all the same), and no module
 * so long that a reader cannot hold it in mind.
 */

import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

const SRC = path.resolve(__dirname, '..');

/** Longest a module of src/ may be (tests and fixtures aside). */
const MAX_LINES = 400;

function sourceFiles(folder: string): string[] {
  return fs.readdirSync(folder, { withFileTypes: true }).flatMap(entry => {
    const full = path.join(folder, entry.name);
    if (entry.isDirectory()) {
      return sourceFiles(full);
    }
    return /\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

/**
 * Every module specifier a file names: import and export-from declarations
 * (`import type` too), `import x = require(...)`, `import('...')` calls and
 * `import('...').T` types.
 */
export function specifiers(fileName: string, text: string): string[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false);
  const found: string[] = [];
  const literal = (node: ts.Node | undefined): void => {
    if (node && ts.isStringLiteralLike(node)) {
      found.push(node.text);
    }
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) {
      literal(node.moduleSpecifier);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      literal(node.moduleReference.expression);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      literal(node.arguments[0]);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      literal(node.argument.literal);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** The module of src/ a relative specifier names, or null for anything else (packages, styles, SVGs). */
function resolve(from: string, specifier: string): string | null {
  if (!specifier.startsWith('.')) {
    return null;
  }
  const base = path.resolve(path.dirname(from), specifier.replace(/\.js$/, ''));
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, `${base}/index.ts`, `${base}/index.tsx`]) {
    if (/\.tsx?$/.test(candidate) && fs.existsSync(candidate)) {
      return candidate;
    }
  }
  if (fs.existsSync(base) && !fs.statSync(base).isDirectory()) {
    return null; // an asset (e.g. an .svg)
  }
  throw new Error(`${path.relative(SRC, from)}: cannot resolve '${specifier}'`);
}

/** The import graph: each module and the modules it imports. */
function importGraph(files: string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const targets = specifiers(file, fs.readFileSync(file, 'utf8'))
      .map(specifier => resolve(file, specifier))
      .filter((target): target is string => target !== null);
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/**
 * The import cycles of a graph, one per strongly connected component
 * (Tarjan), each as the path that closes it: `[a, b, c, a]`.
 */
export function findCycles(graph: Map<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const connect = (node: string): void => {
    index.set(node, counter);
    low.set(node, counter);
    counter++;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        connect(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || (graph.get(node) ?? []).includes(node)) {
        components.push(component);
      }
    }
  };
  for (const node of graph.keys()) {
    if (!index.has(node)) {
      connect(node);
    }
  }
  return components.map(component => cycleThrough(graph, new Set(component)));
}

/** A path from a component's first module back to it, inside the component (breadth first: the shortest). */
function cycleThrough(graph: Map<string, string[]>, component: Set<string>): string[] {
  const start = [...component].sort()[0];
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length) {
    const node = queue.shift()!;
    for (const next of graph.get(node) ?? []) {
      if (!component.has(next)) {
        continue;
      }
      if (next === start) {
        const cycle = [start];
        for (let at: string | undefined = node; at !== start; at = previous.get(at!)) {
          cycle.unshift(at!);
        }
        return [start, ...cycle];
      }
      if (!previous.has(next)) {
        previous.set(next, node);
        queue.push(next);
      }
    }
  }
  return [start, start];
}

describe('the modules of src/', () => {
  const files = sourceFiles(SRC);
  const name = (file: string): string => path.relative(SRC, file);

  it('import one another without a cycle', () => {
    const cycles = findCycles(importGraph(files)).map(cycle => cycle.map(name).join(' → '));
    expect(cycles).toEqual([]);
  });

  it('are at most ~400 lines long', () => {
    const long = files
      .filter(file => !file.includes(`${path.sep}__tests__${path.sep}`))
      .map(file => ({ file: name(file), lines: fs.readFileSync(file, 'utf8').split('\n').length - 1 }))
      .filter(({ lines }) => lines > MAX_LINES);
    expect(long).toEqual([]);
  });
});

describe('the cycle check itself', () => {
  it('reads every kind of import, type-only ones too', () => {
    const text = [
      "import { a } from './a';",
      "import type { B } from './b';",
      "export { c } from './c';",
      "export * from './d';",
      "import e = require('./e');",
      "type F = import('./f').F;",
      "const g = import('./g');",
      "import '@jupyterlab/application';"
    ].join('\n');
    expect(specifiers('x.ts', text)).toEqual(['./a', './b', './c', './d', './e', './f', './g', '@jupyterlab/application']);
  });

  it('names a cycle in the direction of the imports', () => {
    const graph = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a', 'd']],
      ['d', []],
      ['e', ['e']]
    ]);
    expect(findCycles(graph)).toEqual([
      ['a', 'b', 'c', 'a'],
      ['e', 'e']
    ]);
  });

  it('finds none in a tree', () => {
    expect(findCycles(new Map([['a', ['b', 'c']], ['b', ['c']], ['c', []]]))).toEqual([]);
  });
});
