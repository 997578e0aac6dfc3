// A minimal protobuf wire-format reader/writer: enough to patch a few fields of an ONNX model in place
// without Python or a schema compiler. Unknown fields are kept byte for byte.

export type WireType = 0 | 1 | 2 | 5;

export interface ProtoField {
  readonly number: number;
  readonly wireType: WireType;
  /** The whole encoding of the field (tag + value), reused verbatim when the field is not changed. */
  readonly raw: Uint8Array;
  /** Varint value (wire type 0). */
  readonly varint: bigint;
  /** Payload of a length-delimited field (wire type 2), or the fixed bytes (wire types 1 and 5). */
  readonly payload: Uint8Array;
}

export function readFields(bytes: Uint8Array): ProtoField[] {
  const fields: ProtoField[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const start = offset;
    const [tag, afterTag] = readVarint(bytes, offset);
    offset = afterTag;
    const number = Number(tag >> 3n);
    const wireType = Number(tag & 7n);
    let varint = 0n;
    let payload: Uint8Array = new Uint8Array(0);
    if (wireType === 0) {
      [varint, offset] = readVarint(bytes, offset);
    } else if (wireType === 2) {
      const [length, afterLength] = readVarint(bytes, offset);
      const end = afterLength + Number(length);
      if (end > bytes.length) throw new Error(`protobuf: field ${number} runs past the end of its message`);
      payload = bytes.subarray(afterLength, end);
      offset = end;
    } else if (wireType === 1 || wireType === 5) {
      const size = wireType === 1 ? 8 : 4;
      if (offset + size > bytes.length) throw new Error(`protobuf: field ${number} runs past the end of its message`);
      payload = bytes.subarray(offset, offset + size);
      offset += size;
    } else {
      throw new Error(`protobuf: unsupported wire type ${wireType} at byte ${start}`);
    }
    fields.push({ number, wireType: wireType as WireType, raw: bytes.subarray(start, offset), varint, payload });
  }
  return fields;
}

/** Concatenates field encodings: unchanged fields as their `raw` bytes, new ones from `encode*`. */
export function writeFields(parts: readonly Uint8Array[]): Uint8Array {
  const total = parts.reduce((sum, part) => sum + part.length, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

export function encodeLengthDelimited(number: number, payload: Uint8Array): Uint8Array {
  return writeFields([encodeVarint((BigInt(number) << 3n) | 2n), encodeVarint(BigInt(payload.length)), payload]);
}

export function encodeVarintField(number: number, value: bigint): Uint8Array {
  return writeFields([encodeVarint(BigInt(number) << 3n), encodeVarint(BigInt.asUintN(64, value))]);
}

export function decodeString(payload: Uint8Array): string {
  return new TextDecoder().decode(payload);
}

export function encodeString(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** Packed repeated varints (proto3 default for `repeated int64`). */
export function readPackedVarints(payload: Uint8Array): bigint[] {
  const values: bigint[] = [];
  let offset = 0;
  while (offset < payload.length) {
    const [value, next] = readVarint(payload, offset);
    values.push(BigInt.asIntN(64, value));
    offset = next;
  }
  return values;
}

export function encodePackedVarints(values: readonly bigint[]): Uint8Array {
  return writeFields(values.map((value) => encodeVarint(BigInt.asUintN(64, value))));
}

function readVarint(bytes: Uint8Array, offset: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  for (let i = offset; i < bytes.length; i++) {
    const byte = bytes[i]!;
    result |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return [result, i + 1];
    shift += 7n;
    if (shift > 63n) break;
  }
  throw new Error(`protobuf: bad varint at byte ${offset}`);
}

function encodeVarint(value: bigint): Uint8Array {
  const bytes: number[] = [];
  let rest = value;
  do {
    let byte = Number(rest & 0x7fn);
    rest >>= 7n;
    if (rest > 0n) byte |= 0x80;
    bytes.push(byte);
  } while (rest > 0n);
  return Uint8Array.from(bytes);
}
