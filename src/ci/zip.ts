// Reads one file out of a zip archive: GitHub serves an Actions artifact as a
// zip, and the merge run needs the saved plan inside it. Only what such an
// archive uses (stored or deflated entries, found through the central
// directory) is supported; anything else is refused with a message, never
// guessed at. Sizes are checked before inflating, so a hostile archive cannot
// make the runner allocate more than `maxBytes`.

import { crc32, inflateRawSync } from 'node:zlib';

export class ZipError extends Error {}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

/** The bytes of the entry named `name`, or null when the archive has no such entry. */
export function readZipEntry(zip: Buffer, name: string, maxBytes: number): Buffer | null {
  const end = findEndOfCentralDirectory(zip);
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  for (let i = 0; i < count; i++) {
    if (at + 46 > zip.length || zip.readUInt32LE(at) !== CENTRAL) throw new ZipError('its central directory is damaged');
    const flags = zip.readUInt16LE(at + 8);
    const method = zip.readUInt16LE(at + 10);
    const crc = zip.readUInt32LE(at + 16);
    const compressedSize = zip.readUInt32LE(at + 20);
    const size = zip.readUInt32LE(at + 24);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const localAt = zip.readUInt32LE(at + 42);
    const entryName = zip.subarray(at + 46, at + 46 + nameLength).toString('utf8');
    at += 46 + nameLength + extraLength + commentLength;
    if (entryName !== name) continue;

    if (flags & 0x1) throw new ZipError(`${JSON.stringify(name)} is encrypted`);
    if (size > maxBytes || compressedSize > zip.length) throw new ZipError(`${JSON.stringify(name)} is larger than ${maxBytes} bytes`);
    if (localAt + 30 > zip.length || zip.readUInt32LE(localAt) !== LOCAL) throw new ZipError(`the entry of ${JSON.stringify(name)} is damaged`);
    const dataAt = localAt + 30 + zip.readUInt16LE(localAt + 26) + zip.readUInt16LE(localAt + 28);
    const data = zip.subarray(dataAt, dataAt + compressedSize);
    if (data.length !== compressedSize) throw new ZipError(`${JSON.stringify(name)} is cut short`);
    let bytes: Buffer;
    if (method === 0) bytes = Buffer.from(data);
    else if (method === 8) {
      try {
        bytes = inflateRawSync(data, { maxOutputLength: Math.max(1, maxBytes) });
      } catch (err) {
        throw new ZipError(`${JSON.stringify(name)} cannot be inflated (${(err as Error).message})`);
      }
    } else throw new ZipError(`${JSON.stringify(name)} uses compression method ${method}, which is not supported`);
    if (bytes.length !== size || crc32(bytes) !== crc) throw new ZipError(`${JSON.stringify(name)} does not match its checksum`);
    return bytes;
  }
  return null;
}

function findEndOfCentralDirectory(zip: Buffer): number {
  // The record is 22 bytes plus a comment of at most 65,535 bytes, at the end.
  for (let at = zip.length - 22; at >= Math.max(0, zip.length - 22 - 0xffff); at--) {
    if (zip.readUInt32LE(at) === EOCD) return at;
  }
  throw new ZipError('it is not a zip archive');
}
