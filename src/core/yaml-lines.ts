/**
 * YAML files an operator writes (quiz banks, shop items): parsing with line
 * numbers, and errors that read `file:line: field: message`, so a bad file
 * names where to look. Shared by src/features/quiz/bank.ts and
 * src/features/shop/items-file.ts.
 */
import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Document, type Node } from 'yaml';

export type Path = ReadonlyArray<PropertyKey>;

/** `questions[3].seconds`: a zod issue's path as an operator reads it. */
export function formatPath(path: Path): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? String(segment) : `.${String(segment)}`;
  }
  return out;
}

/** The source offset of the deepest node on `path`: a map key's position, or a sequence item's. */
export function locate(doc: Document, path: Path): { offset: number; resolved: number } {
  let node: unknown = doc.contents;
  let offset = isNodeWithRange(node) ? node.range[0] : 0;
  let resolved = 0;
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && p.key.value === segment);
      if (pair === undefined) break;
      if (isNodeWithRange(pair.key)) offset = pair.key.range[0];
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item: unknown = node.items[segment];
      if (!isNodeWithRange(item)) break;
      offset = item.range[0];
      node = item;
    } else {
      break;
    }
    resolved++;
  }
  return { offset, resolved };
}

export function isNodeWithRange(value: unknown): value is Node & { range: [number, number, number] } {
  return typeof value === 'object' && value !== null && 'range' in value && Array.isArray((value as { range?: unknown }).range);
}

export type ParsedYaml = { ok: true; doc: Document; lineCounter: LineCounter } | { ok: false; errors: string[] };

/** One document with line numbers; duplicate keys are errors. Errors read `file:line: invalid YAML: …`. */
export function parseYaml(source: string, fileName: string): ParsedYaml {
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length === 0) return { ok: true, doc, lineCounter };
  return {
    ok: false,
    errors: doc.errors.map((e) => {
      const line = e.linePos?.[0].line ?? lineCounter.linePos(e.pos[0]).line;
      return `${fileName}:${line}: invalid YAML: ${e.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '')}`;
    }),
  };
}

/** `file:line: text`, in line order (stable), without repeats. */
export function byLine(fileName: string, errors: ReadonlyArray<{ line: number; text: string }>): string[] {
  const sorted = [...errors].sort((a, b) => a.line - b.line);
  return [...new Set(sorted.map((e) => `${fileName}:${e.line}: ${e.text}`))];
}
