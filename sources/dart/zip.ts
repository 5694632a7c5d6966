/**
 * Just enough of the ZIP format to take one file out of DART's corpCode.xml archive: the end of
 * central directory record, the central directory, a local header, and stored or deflated data
 * (APPNOTE.TXT §4.3). node:zlib does the inflating, so no dependency is needed for one archive
 * of one file. ZIP64 and encryption are refused: DART's archive (about 3 MB, one entry) uses
 * neither, and guessing at them would hide a format change.
 */
import { promisify } from 'node:util';
import zlib from 'node:zlib';

const inflateRawAsync = promisify(zlib.inflateRaw);

const EOCD_SIG = 0x06054b50;
const CEN_SIG = 0x02014b50;
const LOC_SIG = 0x04034b50;
const EOCD_MIN = 22;
const MAX_COMMENT = 0xffff;

export class ZipError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ZipError';
  }
}

export interface ZipEntry {
  name: string;
  method: number;
  flags: number;
  crc32: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

export function isZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}

export function listEntries(bytes: Uint8Array): ZipEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const eocd = findEocd(view);
  const count = view.getUint16(eocd + 10, true);
  const cdSize = view.getUint32(eocd + 12, true);
  const cdOffset = view.getUint32(eocd + 16, true);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) throw new ZipError('ZIP64 archives are not supported');
  if (cdOffset + cdSize > eocd) throw new ZipError('central directory lies outside the archive (truncated?)');

  const entries: ZipEntry[] = [];
  let p = cdOffset;
  for (let i = 0; i < count; i++) {
    if (p + 46 > eocd || view.getUint32(p, true) !== CEN_SIG) throw new ZipError(`central directory entry ${i} is damaged`);
    const nameLen = view.getUint16(p + 28, true);
    const extraLen = view.getUint16(p + 30, true);
    const commentLen = view.getUint16(p + 32, true);
    entries.push({
      flags: view.getUint16(p + 8, true),
      method: view.getUint16(p + 10, true),
      crc32: view.getUint32(p + 16, true),
      compressedSize: view.getUint32(p + 20, true),
      size: view.getUint32(p + 24, true),
      localHeaderOffset: view.getUint32(p + 42, true),
      // Bit 11 marks UTF-8 names; without it the name is CP437, which for ASCII names is the same.
      name: new TextDecoder('utf-8').decode(bytes.subarray(p + 46, p + 46 + nameLen)),
    });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

export interface ExtractOptions {
  /** Refuse entries that would inflate beyond this (a damaged or hostile archive). */
  maxBytes: number;
}

export async function extract(bytes: Uint8Array, entry: ZipEntry, opts: ExtractOptions): Promise<Buffer> {
  if (entry.flags & 0x1) throw new ZipError(`${entry.name} is encrypted`);
  if (entry.size > opts.maxBytes) throw new ZipError(`${entry.name} is ${entry.size} bytes, above the ${opts.maxBytes} limit`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const loc = entry.localHeaderOffset;
  if (loc + 30 > bytes.length || view.getUint32(loc, true) !== LOC_SIG) throw new ZipError(`local header of ${entry.name} is damaged`);
  // The local header's own name and extra lengths can differ from the central directory's.
  const start = loc + 30 + view.getUint16(loc + 26, true) + view.getUint16(loc + 28, true);
  const end = start + entry.compressedSize;
  if (end > bytes.length) throw new ZipError(`${entry.name} is truncated`);
  const data = bytes.subarray(start, end);

  let out: Buffer;
  if (entry.method === 0) out = Buffer.from(data);
  else if (entry.method === 8) {
    try {
      out = await inflateRawAsync(data, { maxOutputLength: opts.maxBytes });
    } catch (err) {
      throw new ZipError(`${entry.name} does not inflate: ${(err as Error).message}`);
    }
  } else throw new ZipError(`${entry.name} uses compression method ${entry.method}`);

  if (out.length !== entry.size) throw new ZipError(`${entry.name} inflated to ${out.length} bytes, expected ${entry.size}`);
  if (crc32(out) !== entry.crc32) throw new ZipError(`${entry.name} fails its CRC check`);
  return out;
}

function findEocd(view: DataView): number {
  const stop = Math.max(0, view.byteLength - EOCD_MIN - MAX_COMMENT);
  for (let p = view.byteLength - EOCD_MIN; p >= stop; p--) {
    if (view.getUint32(p, true) === EOCD_SIG) return p;
  }
  throw new ZipError('no end of central directory record (not a ZIP, or truncated)');
}

let table: Uint32Array | undefined;

/** CRC-32 (IEEE 802.3, as ZIP uses). Native zlib.crc32 where the runtime has it (Node ≥ 20.15; engines allows 20.3). */
export function crc32(data: Uint8Array): number {
  const native = (zlib as { crc32?: (d: Uint8Array) => number }).crc32;
  return native ? native(data) : crc32Js(data);
}

export function crc32Js(data: Uint8Array): number {
  if (!table) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = table[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
