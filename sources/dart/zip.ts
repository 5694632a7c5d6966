/**
 * One file out of a ZIP archive (DART's corpCode.xml answer), read with fflate: the project's one
 * ZIP implementation, which the simulator and the tests also write their archives with.
 *
 * fflate does not check an entry's CRC-32, so a damaged archive is caught by what it does check
 * (the end-of-central-directory record, the deflate stream ending where it should) plus the
 * inflated size against the size the directory records; the XML parser then refuses a
 * document that lost its closing tag or holds a row it cannot read.
 */
import { unzip, unzipSync, type UnzipFileInfo } from 'fflate';

export class ZipError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ZipError';
  }
}

/** The local-header signature "PK\x03\x04": tells an archive from DART's XML or JSON status answer. */
export function isZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}

export interface EntryChoice {
  /** Matched without regard to case; an archive of a single entry is read whatever that entry is called. */
  name: string;
  /** Refuse an entry that would inflate beyond this (a damaged or hostile archive). */
  maxBytes: number;
}

/** The chosen entry's bytes; every way the archive can be unreadable is a ZipError. */
export async function readEntry(bytes: Uint8Array, choice: EntryChoice): Promise<Uint8Array> {
  const entries = await fromFflate(async () => listEntries(bytes));
  const entry = entries.find((e) => e.name.toUpperCase() === choice.name.toUpperCase()) ?? (entries.length === 1 ? entries[0] : undefined);
  if (!entry) throw new ZipError(`no ${choice.name} among ${entries.map((e) => e.name).join(', ') || 'no entries'}`);
  if (entry.originalSize > choice.maxBytes) throw new ZipError(`${entry.name} is ${entry.originalSize} bytes, above the ${choice.maxBytes} limit`);
  const data = await fromFflate(() => inflateEntry(bytes, entry.name));
  if (data?.length !== entry.originalSize) throw new ZipError(`${entry.name} inflated to ${data?.length ?? 0} bytes, expected ${entry.originalSize}`);
  return data;
}

/** The central directory alone: a filter that declines every entry inflates nothing. */
function listEntries(bytes: Uint8Array): UnzipFileInfo[] {
  const entries: UnzipFileInfo[] = [];
  unzipSync(bytes, { filter: (e) => (entries.push(e), false) });
  return entries;
}

/** fflate inflates entries above 512 kB in a worker thread, so a 30 MB XML does not hold up the event loop. */
function inflateEntry(bytes: Uint8Array, name: string): Promise<Uint8Array | undefined> {
  return new Promise((resolve, reject) => {
    unzip(bytes, { filter: (e) => e.name === name }, (err, files) => (err ? reject(err) : resolve(files[name])));
  });
}

/** Whatever fflate throws on these bytes (its FlateError, or a RangeError from a nonsense header) means a malformed archive. */
async function fromFflate<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw new ZipError(`not a readable ZIP archive: ${(err as Error).message}`);
  }
}
