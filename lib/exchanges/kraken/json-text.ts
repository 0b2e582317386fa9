/**
 * JSON parsing that keeps every number as its source text. Kraken v2 sends book prices and sizes as JSON numbers,
 * and its CRC32 checksum runs over their decimal text, which a double cannot give back ("0.00100000" parses to
 * 0.001). Node 20 has no reviver `context.source`, so numbers are quoted before JSON.parse sees them.
 */

const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

const isNumberChar = (c: number): boolean => (c >= 48 && c <= 57) || c === 46 || c === 45 || c === 43 || c === 101 || c === 69;

/** JSON.parse where numbers come back as their literal text; throws SyntaxError on malformed JSON like JSON.parse. */
export function parseKeepingNumberText(text: string): unknown {
  const n = text.length;
  let out = '';
  let from = 0;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      // Skip a string, so digits inside keys and values stay untouched.
      i++;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d === 92) i += 2;
        else if (d === 34) break;
        else i++;
      }
      i++;
    } else if (c === 45 || (c >= 48 && c <= 57)) {
      let j = i + 1;
      while (j < n && isNumberChar(text.charCodeAt(j))) j++;
      const literal = text.slice(i, j);
      if (!NUMBER.test(literal)) throw new SyntaxError(`invalid number ${literal}`);
      out += `${text.slice(from, i)}"${literal}"`;
      from = i = j;
    } else {
      i++;
    }
  }
  return JSON.parse(from === 0 ? text : out + text.slice(from));
}

/** True when `v` is the text of a JSON number (as parseKeepingNumberText returns them). */
export const isNumberText = (v: unknown): v is string => typeof v === 'string' && NUMBER.test(v);
