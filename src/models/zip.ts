// Reads one file out of a zip archive (the InsightFace model packs): central directory, stored or deflated.
// The archives are small (buffalo_sc is 16 MB) and sha256-checked before this runs, so it works in memory.
import { inflateRawSync } from 'node:zlib';
import { SenseError } from '../errors.js';

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const CENTRAL_FILE_HEADER = 0x02014b50;
const LOCAL_FILE_HEADER = 0x04034b50;

/**
 * The contents of the one entry whose file name (the part after the last "/") is `name`. Refuses archives
 * where that is ambiguous, zip64 archives and compression other than stored or deflate.
 */
export function extractZipEntry(archive: Buffer, name: string, archiveName: string): Buffer {
  const data = extractOptionalZipEntry(archive, name, archiveName);
  if (!data) throw new SenseError('BAD_INPUT', `${archiveName} is not a usable zip archive: it has no ${name}`);
  return data;
}

/** As extractZipEntry, but undefined when the archive has no such file (a release's optional files). */
export function extractOptionalZipEntry(archive: Buffer, name: string, archiveName: string): Buffer | undefined {
  const fail = (why: string): never => {
    throw new SenseError('BAD_INPUT', `${archiveName} is not a usable zip archive: ${why}`);
  };
  const end = findEndOfCentralDirectory(archive) ?? fail('no end-of-central-directory record');
  const entries = archive.readUInt16LE(end + 10);
  let offset = archive.readUInt32LE(end + 16);
  const matches: { method: number; compressedSize: number; size: number; localOffset: number }[] = [];
  for (let i = 0; i < entries; i++) {
    if (offset + 46 > archive.length || archive.readUInt32LE(offset) !== CENTRAL_FILE_HEADER) fail('a broken central directory');
    const method = archive.readUInt16LE(offset + 10);
    const compressedSize = archive.readUInt32LE(offset + 20);
    const size = archive.readUInt32LE(offset + 24);
    const nameLength = archive.readUInt16LE(offset + 28);
    const extraLength = archive.readUInt16LE(offset + 30);
    const commentLength = archive.readUInt16LE(offset + 32);
    const localOffset = archive.readUInt32LE(offset + 42);
    const entryName = archive.subarray(offset + 46, offset + 46 + nameLength).toString('utf8');
    if (!entryName.endsWith('/') && entryName.slice(entryName.lastIndexOf('/') + 1) === name) {
      matches.push({ method, compressedSize, size, localOffset });
    }
    offset += 46 + nameLength + extraLength + commentLength;
  }
  if (matches.length === 0) return undefined;
  if (matches.length !== 1) fail(`it has ${matches.length} files named ${name}`);
  const entry = matches[0]!;
  if (entry.compressedSize === 0xffffffff || entry.size === 0xffffffff || entry.localOffset === 0xffffffff) fail('zip64 is not supported');
  const local = entry.localOffset;
  if (local + 30 > archive.length || archive.readUInt32LE(local) !== LOCAL_FILE_HEADER) fail(`a broken local header for ${name}`);
  const dataStart = local + 30 + archive.readUInt16LE(local + 26) + archive.readUInt16LE(local + 28);
  const compressed = archive.subarray(dataStart, dataStart + entry.compressedSize);
  if (compressed.length !== entry.compressedSize) fail(`${name} runs past the end of the archive`);
  let data: Buffer;
  if (entry.method === 0) data = Buffer.from(compressed);
  else if (entry.method === 8) {
    try {
      data = inflateRawSync(compressed);
    } catch {
      return fail(`${name} does not inflate`);
    }
  } else return fail(`${name} uses compression method ${entry.method}`);
  if (data.length !== entry.size) fail(`${name} is ${data.length} bytes, the directory says ${entry.size}`);
  return data;
}

function findEndOfCentralDirectory(archive: Buffer): number | undefined {
  // The record is 22 bytes plus a comment of up to 65535 bytes, at the very end.
  for (let offset = archive.length - 22; offset >= Math.max(0, archive.length - 22 - 0xffff); offset--) {
    if (archive.readUInt32LE(offset) === END_OF_CENTRAL_DIRECTORY) return offset;
  }
  return undefined;
}
