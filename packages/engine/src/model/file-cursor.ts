/**
 * A forward-only little-endian reader over an open file, refilled with
 * positioned reads, so a GGUF header of any size is parsed in one pass
 * without loading the tensor data behind it.
 * @module
 */
import { readSync } from 'node:fs';

const CHUNK = 1 << 20;
const utf8 = new TextDecoder('utf-8');

/** Reads consecutive values from `fd`, starting at byte 0; every read is bounds-checked against `fileSize`. */
export class FileCursor {
  readonly #fd: number;
  readonly #label: string;
  readonly fileSize: number;
  #buf = new Uint8Array(0);
  #view = new DataView(this.#buf.buffer);
  #bufStart = 0; // file offset of #buf[0]
  #at = 0; // read position within #buf

  /** `label` names the file in errors. */
  constructor(fd: number, fileSize: number, label: string) {
    this.#fd = fd;
    this.fileSize = fileSize;
    this.#label = label;
  }

  /** File offset of the next byte to read. */
  get position(): number {
    return this.#bufStart + this.#at;
  }

  /** Bytes between the position and the end of the file. */
  get remaining(): number {
    return this.fileSize - this.position;
  }

  /** Makes the next `n` bytes readable from #buf at #at, reading more of the file as needed. */
  #need(n: number, what: string): number {
    if (n > this.remaining)
      throw new Error(
        `${this.#label}: truncated file: ${what} needs ${n} bytes at offset ${this.position}, but the file is ${this.fileSize} bytes`,
      );
    if (this.#at + n > this.#buf.length) {
      const start = this.position;
      const size = Math.min(Math.max(n, CHUNK), this.fileSize - start);
      const buf = new Uint8Array(size);
      const got = readSync(this.#fd, buf, 0, size, start);
      if (got !== size)
        throw new Error(`${this.#label}: short read at offset ${start} (${got} of ${size} bytes)`);
      this.#buf = buf;
      this.#view = new DataView(buf.buffer);
      this.#bufStart = start;
      this.#at = 0;
    }
    const at = this.#at;
    this.#at += n;
    return at;
  }

  /** Reads `n` bytes with `get`, which sees the view only after the refill that may replace it. */
  #read<T>(n: number, what: string, get: (view: DataView, at: number) => T): T {
    const at = this.#need(n, what);
    return get(this.#view, at);
  }

  // Fixed-size little-endian reads; `what` names the value in errors.
  u8(what: string): number {
    return this.#read(1, what, (v, at) => v.getUint8(at));
  }
  i8(what: string): number {
    return this.#read(1, what, (v, at) => v.getInt8(at));
  }
  u16(what: string): number {
    return this.#read(2, what, (v, at) => v.getUint16(at, true));
  }
  i16(what: string): number {
    return this.#read(2, what, (v, at) => v.getInt16(at, true));
  }
  u32(what: string): number {
    return this.#read(4, what, (v, at) => v.getUint32(at, true));
  }
  i32(what: string): number {
    return this.#read(4, what, (v, at) => v.getInt32(at, true));
  }
  f32(what: string): number {
    return this.#read(4, what, (v, at) => v.getFloat32(at, true));
  }
  f64(what: string): number {
    return this.#read(8, what, (v, at) => v.getFloat64(at, true));
  }
  u64(what: string): bigint {
    return this.#read(8, what, (v, at) => v.getBigUint64(at, true));
  }
  i64(what: string): bigint {
    return this.#read(8, what, (v, at) => v.getBigInt64(at, true));
  }

  /** A u64 used as a count or size: must fit a JS number and, at `bytesEach` per unit, the rest of the file. */
  size(what: string, bytesEach: number): number {
    const value = this.u64(what);
    if (value * BigInt(Math.max(bytesEach, 0)) > BigInt(this.remaining))
      throw new Error(
        `${this.#label}: ${what} is ${value}, more than the ${this.remaining} bytes left in the file allow (corrupt or truncated file)`,
      );
    return Number(value);
  }

  /** A GGUF string: u64 byte length, then UTF-8 bytes (no terminator). */
  string(what: string): string {
    const length = this.size(`length of ${what}`, 1);
    const at = this.#need(length, what);
    return utf8.decode(this.#buf.subarray(at, at + length));
  }
}
