/**
 * A one-entry ZIP archive writer, enough for DART's corpCode.xml answer. The CRC comes from the
 * project's ZIP reader (sources/dart/zip.ts), so writer and reader agree on one implementation.
 */
import zlib from 'node:zlib';
import { crc32 } from '../../sources/dart/zip';

const UTF8_NAMES = 0x0800;
const DEFLATE = 8;
const VERSION = 20;

/**
 * The run of fields that the local header (from byte 4) and the central directory entry (from
 * byte 6, after "version made by") share: version needed, flags, method, time, date, CRC, sizes,
 * name length. Time and date stay 0: nothing reads them.
 */
function writeEntryFields(header: Buffer, at: number, crc: number, compressed: number, size: number, nameLength: number): void {
  header.writeUInt16LE(VERSION, at);
  header.writeUInt16LE(UTF8_NAMES, at + 2);
  header.writeUInt16LE(DEFLATE, at + 4);
  header.writeUInt32LE(crc, at + 10);
  header.writeUInt32LE(compressed, at + 14);
  header.writeUInt32LE(size, at + 18);
  header.writeUInt16LE(nameLength, at + 22);
}

export function zipOneFile(name: string, content: Buffer): Buffer {
  const data = zlib.deflateRawSync(content);
  const nameBytes = Buffer.from(name, 'utf8');
  const crc = crc32(content);

  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  writeEntryFields(local, 4, crc, data.length, content.length, nameBytes.length);

  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(VERSION, 4);
  writeEntryFields(central, 6, crc, data.length, content.length, nameBytes.length);
  // the local header's offset (byte 42) is 0: the entry starts the archive

  const centralOffset = local.length + nameBytes.length + data.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + nameBytes.length, 12);
  end.writeUInt32LE(centralOffset, 16);

  return Buffer.concat([local, nameBytes, data, central, nameBytes, end]);
}
