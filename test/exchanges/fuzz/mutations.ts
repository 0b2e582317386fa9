import fc from 'fast-check';
import { parseTree, removeAt, replaceAt, slots, writeTree, type Node } from './json-tree';

/**
 * Mutations of a real exchange message, as plain data that fast-check generates and shrinks: damage to the
 * text (truncation, byte flips, insertions, deletions, frames run together) and to the JSON values (deleted
 * and duplicated keys, wrong types, huge and non-finite numbers, negated numbers, reordered or emptied arrays,
 * unicode, nested garbage). Applying one is deterministic.
 */

export type ValueOp =
  | { op: 'delete' }
  /** Replace with a JSON (or deliberately not JSON) fragment. */
  | { op: 'set'; text: string }
  | { op: 'negate' }
  /** Multiply a number (or numeric string) by 10^exp. */
  | { op: 'scale'; exp: number }
  | { op: 'shuffle'; seed: number }
  | { op: 'empty' }
  | { op: 'unicode'; at: number; text: string }
  | { op: 'wrap'; inArray: boolean }
  /** Emit the key again before itself with another value (JSON.parse keeps the last). */
  | { op: 'duplicateKey'; text: string; after: boolean }
  /** Put a copy of an array element (or of the value holding this one) right after it. */
  | { op: 'duplicateItem' };

export type Mutation =
  | { kind: 'truncate'; at: number }
  | { kind: 'flip'; at: number; char: string }
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'repeat'; at: number; length: number }
  | { kind: 'concat'; other: number; separator: string }
  | { kind: 'value'; node: number; change: ValueOp };

/** Values that have broken parsers somewhere: wrong types, edge numbers, NaN spelled out, odd text. */
export const HOSTILE_FRAGMENTS: readonly string[] = [
  'null',
  'true',
  'false',
  '0',
  '-0',
  '-1',
  '1',
  '0.0',
  '1.5',
  '-5',
  '1e21',
  '1e308',
  '-1e308',
  '1e400',
  '-1e400',
  '1e-400',
  '9007199254740993',
  '-9007199254740993',
  '123456789012345678901234567890',
  '0.1e1',
  '5E-324',
  '""',
  '"abc"',
  '"NaN"',
  '"Infinity"',
  '"-Infinity"',
  '"nan"',
  '"-1"',
  '"-0.00000001"',
  '"0"',
  '"0.00000000"',
  '"1e400"',
  '"1e-400"',
  '"0x1F"',
  '" 42"',
  '"42 "',
  '"1_000"',
  '"1,5"',
  '"\u0663"',
  '"\\u0000"',
  '"\\ud800"',
  '"\u{1F4A5}"',
  '"BTC\u202eUSDT"',
  '"btcusdt"',
  '"BTC/USD"',
  '"buy"',
  '"MARKET"',
  '"kline"',
  '"trade"',
  '"snapshot"',
  '"update"',
  '"2023-10-04T16:26:01.806315597Z"',
  '"2023-02-30T25:61:61Z"',
  '"9999-12-31T23:59:59Z"',
  '"0000-01-01T00:00:00Z"',
  '[]',
  '{}',
  '[null]',
  '[[]]',
  '[["1","2"]]',
  '["1"]',
  '[1,2]',
  '[["-1","1"]]',
  '[["1","-1"]]',
  '[{"price":1}]',
  '[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]',
  '{"a":{"b":{"c":{"d":{}}}}}',
  '{"__proto__":{"polluted":1}}',
  '{"constructor":{"prototype":{"x":1}}}',
  '{"toString":1,"valueOf":2}',
  `"${'x'.repeat(2000)}"`,
  `[${'1,'.repeat(2000)}1]`,
  'NaN',
  'Infinity',
  'undefined',
  "'single'",
  '01',
  '1.',
  '.5',
  '+1',
  '--1',
  '"unterminated',
  '{',
  ']',
];

const UNICODE = [
  '\u0000',
  '\u202e',
  '\ud800',
  '\udfff',
  '\u{1F4A5}',
  '\ufeff',
  'é',
  '\u0301',
  '\n',
  '"',
  '\\',
  '\u2028',
  'ß',
  'İ',
];

const nat = (max: number) => fc.nat({ max });

const textish = fc.oneof(
  fc.constantFrom(...UNICODE, ',', ':', '{', '}', '[', ']', '"', '0', '-', 'e', '.', ' '),
  fc.string({ unit: 'grapheme', maxLength: 8 }),
  fc.string({ unit: 'binary', maxLength: 4 }),
);

const fragment = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...HOSTILE_FRAGMENTS) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? 'null') },
);

const valueOp: fc.Arbitrary<ValueOp> = fc.oneof(
  { weight: 2, arbitrary: fc.constant<ValueOp>({ op: 'delete' }) },
  { weight: 5, arbitrary: fragment.map((text): ValueOp => ({ op: 'set', text })) },
  { weight: 2, arbitrary: fc.constant<ValueOp>({ op: 'negate' }) },
  { weight: 2, arbitrary: fc.integer({ min: -400, max: 400 }).map((exp): ValueOp => ({ op: 'scale', exp })) },
  { weight: 1, arbitrary: fc.nat().map((seed): ValueOp => ({ op: 'shuffle', seed })) },
  { weight: 1, arbitrary: fc.constant<ValueOp>({ op: 'empty' }) },
  {
    weight: 2,
    arbitrary: fc.record({ at: fc.nat(), text: textish }).map(({ at, text }): ValueOp => ({ op: 'unicode', at, text })),
  },
  { weight: 1, arbitrary: fc.boolean().map((inArray): ValueOp => ({ op: 'wrap', inArray })) },
  {
    weight: 2,
    arbitrary: fc
      .record({ text: fragment, after: fc.boolean() })
      .map(({ text, after }): ValueOp => ({ op: 'duplicateKey', text, after })),
  },
  { weight: 2, arbitrary: fc.constant<ValueOp>({ op: 'duplicateItem' }) },
);

const span = fc.record({ at: nat(1 << 20), length: fc.integer({ min: 1, max: 40 }) });

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 2, arbitrary: nat(1 << 20).map((at): Mutation => ({ kind: 'truncate', at })) },
  {
    weight: 3,
    arbitrary: fc.record({ at: nat(1 << 20), char: textish }).map(({ at, char }): Mutation => ({ kind: 'flip', at, char })),
  },
  {
    weight: 1,
    arbitrary: fc.record({ at: nat(1 << 20), text: textish }).map(({ at, text }): Mutation => ({ kind: 'insert', at, text })),
  },
  { weight: 1, arbitrary: span.map((m): Mutation => ({ kind: 'delete', ...m })) },
  { weight: 1, arbitrary: span.map((m): Mutation => ({ kind: 'repeat', ...m })) },
  {
    weight: 1,
    arbitrary: fc
      .record({ other: fc.nat(), separator: fc.constantFrom('', '\n', ' ', ',', '}{') })
      .map((m): Mutation => ({ kind: 'concat', ...m })),
  },
  {
    weight: 10,
    arbitrary: fc
      .record({ node: fc.nat(), change: valueOp })
      .map(({ node, change }): Mutation => ({ kind: 'value', node, change })),
  },
);

/** One to three mutations, applied in order. */
export const mutations = fc.array(mutation, { minLength: 1, maxLength: 3 });

export function describeMutation(m: Mutation): string {
  return m.kind === 'value' ? `value:${m.change.op}` : m.kind;
}

/** `text` with `m` applied; `corpus` supplies the frames `concat` runs together. */
export function applyMutation(text: string, m: Mutation, corpus: readonly string[]): string {
  const len = text.length;
  switch (m.kind) {
    case 'truncate':
      return text.slice(0, len === 0 ? 0 : m.at % len);
    case 'flip': {
      const at = len === 0 ? 0 : m.at % len;
      return text.slice(0, at) + m.char + text.slice(at + 1);
    }
    case 'insert': {
      const at = m.at % (len + 1);
      return text.slice(0, at) + m.text + text.slice(at);
    }
    case 'delete': {
      const at = len === 0 ? 0 : m.at % len;
      return text.slice(0, at) + text.slice(at + m.length);
    }
    case 'repeat': {
      const at = len === 0 ? 0 : m.at % len;
      const piece = text.slice(at, at + m.length);
      return text.slice(0, at) + piece + piece + text.slice(at + m.length);
    }
    case 'concat':
      return text + m.separator + corpus[m.other % corpus.length];
    case 'value':
      return mutateValue(text, m.node, m.change);
  }
}

function mutateValue(text: string, pick: number, change: ValueOp): string {
  let root: Node;
  try {
    root = parseTree(text);
  } catch {
    // Earlier damage made it unparseable: flip a character instead, so the case still does something.
    return applyMutation(text, { kind: 'flip', at: pick, char: '\u0000' }, []);
  }
  const all = slots(root);
  const slot = all[pick % all.length];
  const swap = (next: Node) => {
    if (slot.parent) replaceAt(slot, next);
    else root = next;
  };
  const node = slot.node;
  switch (change.op) {
    case 'delete':
      if (slot.parent) removeAt(slot);
      else root = { t: 'raw', text: '' };
      break;
    case 'set':
      swap({ t: 'raw', text: change.text });
      break;
    case 'negate':
      if (node.t === 'num') swap({ t: 'num', text: node.text.startsWith('-') ? node.text.slice(1) : `-${node.text}` });
      else if (node.t === 'str') swap({ t: 'str', v: node.v.startsWith('-') ? node.v.slice(1) : `-${node.v}` });
      else swap({ t: 'num', text: '-1' });
      break;
    case 'scale': {
      const scaled = (s: string) => `${s}e${change.exp}`;
      if (node.t === 'num') swap({ t: 'num', text: /[eE]/.test(node.text) ? node.text : scaled(node.text) });
      else if (node.t === 'str')
        swap({ t: 'str', v: /^-?[\d.]+$/.test(node.v) ? String(Number(node.v) * 10 ** change.exp) : node.v });
      break;
    }
    case 'shuffle':
      if (node.t === 'arr') node.items = shuffled(node.items, change.seed);
      else if (node.t === 'obj') node.entries = shuffled(node.entries, change.seed);
      break;
    case 'empty':
      swap(node.t === 'obj' ? { t: 'obj', entries: [] } : node.t === 'str' ? { t: 'str', v: '' } : { t: 'arr', items: [] });
      break;
    case 'unicode':
      if (node.t === 'str') {
        const at = change.at % (node.v.length + 1);
        swap({ t: 'str', v: node.v.slice(0, at) + change.text + node.v.slice(at) });
      } else if (slot.parent?.t === 'obj') {
        // Not a string: damage the key instead.
        const entry = slot.parent.entries[slot.index];
        entry[0] = entry[0] + change.text;
      }
      break;
    case 'wrap':
      swap(change.inArray ? { t: 'arr', items: [node] } : { t: 'obj', entries: [['x', node]] });
      break;
    case 'duplicateKey':
      if (slot.parent?.t === 'obj') {
        const [key] = slot.parent.entries[slot.index];
        slot.parent.entries.splice(slot.index + (change.after ? 1 : 0), 0, [key, { t: 'raw', text: change.text }]);
      } else if (node.t === 'obj' && node.entries.length > 0) {
        node.entries.push([node.entries[0][0], { t: 'raw', text: change.text }]);
      }
      break;
    case 'duplicateItem':
      if (slot.parent?.t === 'arr') slot.parent.items.splice(slot.index + 1, 0, parseTree(writeTree(node)));
      else if (node.t === 'arr' && node.items.length > 0) node.items.push(parseTree(writeTree(node.items[0])));
      break;
  }
  return writeTree(root);
}

/** A deterministic Fisher-Yates shuffle (xorshift), so a case replays identically. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let s = seed | 0 || 1;
  for (let i = out.length - 1; i > 0; i--) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    const j = (s >>> 0) % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
