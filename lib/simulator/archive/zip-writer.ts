import zlib from 'node:zlib';

/**
 * A ZIP of one deflated entry, as data.binance.vision serves its archives (one CSV per ZIP, docs/history.md):
 * local header, data, central directory, end record. No ZIP64, so an entry must stay under 4 GiB, far above
 * anything the simulator generates. The entry's modification time is the given UTC time, so the bytes (and the
 * `.CHECKSUM`) depend only on the content and that time.
 */

const LOCAL_HEADER = 0x04034b50;
const CENTRAL_HEADER = 0x02014b50;
const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
/** Version 2.0: deflate. */
const VERSION = 20;
const DEFLATE = 8;
/** Bit 11: the name is UTF-8. */
const UTF8_NAME = 0x0800;
const UINT32_LIMIT = 0xffffffff;

export function zipOneFile(entryName: string, content: Buffer, modifiedMs: number): Buffer {
  if (content.length >= UINT32_LIMIT)
    throw new Error(`${entryName}: ${content.length} bytes need ZIP64, which this writer lacks`);
  const deflated = zlib.deflateRawSync(content, { level: 6 });
  const crc = zlib.crc32(content) >>> 0;
  const name = Buffer.from(entryName, 'utf8');
  const { dosTime, dosDate } = dosDateTime(modifiedMs);

  const local = Buffer.alloc(30);
  local.writeUInt32LE(LOCAL_HEADER, 0);
  local.writeUInt16LE(VERSION, 4);
  local.writeUInt16LE(UTF8_NAME, 6);
  local.writeUInt16LE(DEFLATE, 8);
  local.writeUInt16LE(dosTime, 10);
  local.writeUInt16LE(dosDate, 12);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(deflated.length, 18);
  local.writeUInt32LE(content.length, 22);
  local.writeUInt16LE(name.length, 26);
  local.writeUInt16LE(0, 28);

  const central = Buffer.alloc(46);
  central.writeUInt32LE(CENTRAL_HEADER, 0);
  central.writeUInt16LE(VERSION, 4);
  central.writeUInt16LE(VERSION, 6);
  central.writeUInt16LE(UTF8_NAME, 8);
  central.writeUInt16LE(DEFLATE, 10);
  central.writeUInt16LE(dosTime, 12);
  central.writeUInt16LE(dosDate, 14);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(deflated.length, 20);
  central.writeUInt32LE(content.length, 24);
  central.writeUInt16LE(name.length, 28);
  // Extra field, comment, disk number, internal and external attributes stay 0; the local header is at offset 0.
  central.writeUInt32LE(0, 42);

  const centralOffset = local.length + name.length + deflated.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(END_OF_CENTRAL_DIRECTORY, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + name.length, 12);
  end.writeUInt32LE(centralOffset, 16);
  return Buffer.concat([local, name, deflated, central, name, end]);
}

/** MS-DOS date and time fields (2-second resolution, years 1980–2107) of a UTC time. */
function dosDateTime(epochMs: number): { dosTime: number; dosDate: number } {
  const date = new Date(epochMs);
  const year = Math.min(2107, Math.max(1980, date.getUTCFullYear()));
  return {
    dosTime: (date.getUTCHours() << 11) | (date.getUTCMinutes() << 5) | Math.floor(date.getUTCSeconds() / 2),
    dosDate: ((year - 1980) << 9) | ((date.getUTCMonth() + 1) << 5) | date.getUTCDate(),
  };
}
