/**
 * A JSON tree that writes back exactly what it read: numbers keep their text (Kraken's checksum runs over it, and
 * "1e400" or 20-digit ids must reach the adapter as sent), objects keep key order and may hold a key twice, and
 * any node may be replaced by raw text that is not JSON at all. The fuzzer mutates these trees.
 */

export type Node =
  | { t: 'num'; text: string }
  | { t: 'str'; v: string }
  | { t: 'lit'; text: 'true' | 'false' | 'null' }
  | { t: 'arr'; items: Node[] }
  | { t: 'obj'; entries: [string, Node][] }
  /** Written as is: a fragment that may be invalid JSON. */
  | { t: 'raw'; text: string };

export class JsonSyntaxError extends Error {}

/** Parses one JSON document; throws JsonSyntaxError on anything else (including trailing text). */
export function parseTree(text: string): Node {
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i++;
  };
  const fail = (what: string): never => {
    throw new JsonSyntaxError(`${what} at ${i}`);
  };
  const value = (): Node => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const entries: [string, Node][] = [];
      ws();
      if (text[i] === '}') {
        i++;
        return { t: 'obj', entries };
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail('key expected');
        const key = string();
        ws();
        if (text[i++] !== ':') fail('colon expected');
        entries.push([key, value()]);
        ws();
        const d = text[i++];
        if (d === '}') return { t: 'obj', entries };
        if (d !== ',') fail('comma expected');
      }
    }
    if (c === '[') {
      i++;
      const items: Node[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return { t: 'arr', items };
      }
      for (;;) {
        items.push(value());
        ws();
        const d = text[i++];
        if (d === ']') return { t: 'arr', items };
        if (d !== ',') fail('comma expected');
      }
    }
    if (c === '"') return { t: 'str', v: string() };
    for (const lit of ['true', 'false', 'null'] as const) {
      if (text.startsWith(lit, i)) {
        i += lit.length;
        return { t: 'lit', text: lit };
      }
    }
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m) return fail('value expected');
    i += m[0].length;
    return { t: 'num', text: m[0] };
  };
  const string = (): string => {
    const start = i;
    i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    if (i >= text.length) fail('unterminated string');
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const root = value();
  ws();
  if (i !== text.length) fail('trailing text');
  return root;
}

export function writeTree(n: Node): string {
  switch (n.t) {
    case 'num':
    case 'lit':
    case 'raw':
      return n.text;
    case 'str':
      return JSON.stringify(n.v);
    case 'arr':
      return `[${n.items.map(writeTree).join(',')}]`;
    case 'obj':
      return `{${n.entries.map(([k, v]) => `${JSON.stringify(k)}:${writeTree(v)}`).join(',')}}`;
  }
}

/** Where a node sits: in an object under a key, in an array at an index, or at the root. */
export interface Slot {
  node: Node;
  parent?: Extract<Node, { t: 'arr' | 'obj' }>;
  index: number;
}

/** Every node in document order, with where it sits. */
export function slots(root: Node): Slot[] {
  const out: Slot[] = [];
  const walk = (node: Node, parent: Slot['parent'], index: number) => {
    out.push({ node, parent, index });
    if (node.t === 'arr') node.items.forEach((c, k) => walk(c, node, k));
    else if (node.t === 'obj') node.entries.forEach(([, c], k) => walk(c, node, k));
  };
  walk(root, undefined, 0);
  return out;
}

/** Replaces the node in `slot` (the root cannot be replaced in place: the caller swaps it). */
export function replaceAt(slot: Slot, next: Node): void {
  if (slot.parent?.t === 'arr') slot.parent.items[slot.index] = next;
  else if (slot.parent?.t === 'obj') slot.parent.entries[slot.index][1] = next;
}

export function removeAt(slot: Slot): void {
  if (slot.parent?.t === 'arr') slot.parent.items.splice(slot.index, 1);
  else if (slot.parent?.t === 'obj') slot.parent.entries.splice(slot.index, 1);
}
