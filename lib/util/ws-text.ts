/**
 * The text of a `ws` message. With its default binaryType ('nodebuffer') `ws` hands over one Buffer; the other
 * shapes its RawData type allows (fragments as Buffer[], an ArrayBuffer) are decoded as well instead of being
 * stringified as '[object ArrayBuffer]'.
 */
export function messageText(data: Buffer | ArrayBuffer | Buffer[]): string {
  if (Buffer.isBuffer(data)) return data.toString();
  return Array.isArray(data) ? Buffer.concat(data).toString() : Buffer.from(data).toString();
}
