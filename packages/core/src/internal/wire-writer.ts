/** Strings shorter than this are written by a JS loop; longer ones by Node's native UTF-8 writer. */
const SHORT_STRING = 24;
const INITIAL_BYTES = 64 * 1024;
/** A buffer grown past this for one large request is not kept for the next one. */
const KEEP_BYTES = 4 * 1024 * 1024;
const TWO_POW_32 = 4294967296;

/** Node's UTF-8 writer behind `Buffer#write`, without its argument normalisation. */
type Utf8Writable = Buffer & { utf8Write(text: string, offset: number, length: number): number };

/** Bytes the minimal varint encoding of a non-negative 32-bit length takes. */
export function varintSize(value: number): number {
  return value < 0x80 ? 1 : value < 0x4000 ? 2 : value < 0x200000 ? 3 : value < 0x10000000 ? 4 : 5;
}

/**
 * A protobuf writer over one reusable buffer, for encoders that write the wire format straight
 * from their source objects.
 *
 * Lengths of nested messages are written in front of them: `begin(guess)` leaves `guess` bytes
 * for the length and `end()` writes it, moving the body when the real length needs another
 * number of bytes. A good guess makes that move rare; any guess gives the same, minimal bytes.
 */
export class WireWriter {
  buf: Buffer = Buffer.allocUnsafeSlow(INITIAL_BYTES);
  pos = 0;
  #view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);

  /** Starts a new message at offset 0, dropping an oversized buffer from an earlier one. */
  reset(): void {
    this.pos = 0;
    if (this.buf.length > KEEP_BYTES) this.#replace(INITIAL_BYTES);
  }

  /** A copy of the bytes written since `reset()`. */
  finish(): Uint8Array {
    const out = new Uint8Array(this.pos);
    out.set(this.buf.subarray(0, this.pos));
    return out;
  }

  /** A copy of the bytes written from offset `from` on, for a cache. */
  copy(from: number): Uint8Array {
    return new Uint8Array(this.buf.subarray(from, this.pos));
  }

  /** Makes room for `bytes` more bytes after `pos`. */
  ensure(bytes: number): void {
    if (this.pos + bytes > this.buf.length) this.#grow(bytes);
  }

  #grow(bytes: number): void {
    let size = this.buf.length * 2;
    while (size < this.pos + bytes) size *= 2;
    const old = this.buf;
    this.#replace(size);
    old.copy(this.buf, 0, 0, this.pos);
  }

  #replace(size: number): void {
    this.buf = Buffer.allocUnsafeSlow(size);
    this.#view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  }

  /** One byte: a tag below field 16, or a boolean. */
  byte(value: number): void {
    this.ensure(1);
    this.buf[this.pos++] = value;
  }

  /** Raw bytes, such as a cached encoding. */
  raw(bytes: Uint8Array): void {
    const n = bytes.length;
    this.ensure(n);
    const buf = this.buf;
    let p = this.pos;
    if (n > 32) {
      buf.set(bytes, p);
      p += n;
    } else for (let i = 0; i < n; i++) buf[p++] = bytes[i] as number;
    this.pos = p;
  }

  /**
   * A varint of any JS number with the OTel JS writer's semantics: integers up to 2^32 - 1 as
   * they are, others as 64-bit two's complement (negatives take 10 bytes), fractions truncated,
   * and `undefined` or `NaN` as 0.
   */
  varint(value: number): void {
    this.ensure(10);
    const buf = this.buf;
    let p = this.pos;
    if (value >= 0 && value <= 0xffffffff) {
      let v = value >>> 0;
      while (v > 0x7f) {
        buf[p++] = (v & 0x7f) | 0x80;
        v >>>= 7;
      }
      buf[p++] = v;
      this.pos = p;
      return;
    }
    const magnitude = Math.abs(value);
    let low = magnitude >>> 0;
    let high = (magnitude / TWO_POW_32) >>> 0;
    if (!(value >= 0)) {
      // Two's complement of the magnitude; NaN (undefined) comes out as 0, as in OTel JS.
      low = ~low >>> 0;
      high = ~high >>> 0;
      low = (low + 1) >>> 0;
      if (low === 0) high = (high + 1) >>> 0;
    }
    while (high > 0 || low > 0x7f) {
      buf[p++] = (low & 0x7f) | 0x80;
      low = ((low >>> 7) | (high << 25)) >>> 0;
      high >>>= 7;
    }
    buf[p++] = low;
    this.pos = p;
  }

  /** A little-endian 32-bit integer. */
  fixed32(value: number): void {
    this.ensure(4);
    this.#view.setUint32(this.pos, value >>> 0, true);
    this.pos += 4;
  }

  /** A little-endian IEEE 754 double. */
  double(value: number): void {
    this.ensure(8);
    this.#view.setFloat64(this.pos, value, true);
    this.pos += 8;
  }

  /**
   * An OTel `HrTime` ([seconds, nanoseconds]) as fixed64 nanoseconds, exact beyond 2^53: the
   * seconds are split in 16-bit halves so that no product loses precision.
   */
  hrTime(time: readonly [number, number]): void {
    const seconds = time[0];
    const low16 = (seconds & 0xffff) * 1e9 + time[1];
    const high16 = ((seconds / 0x10000) >>> 0) * 1e9;
    // nanos = high16 * 2^16 + low16
    const lowSum = (high16 % 0x10000) * 0x10000 + low16;
    const low = lowSum >>> 0;
    const high = (Math.floor(high16 / 0x10000) + Math.floor(lowSum / TWO_POW_32)) >>> 0;
    this.ensure(8);
    this.#view.setUint32(this.pos, low, true);
    this.#view.setUint32(this.pos + 4, high, true);
    this.pos += 8;
  }

  /**
   * A length-prefixed UTF-8 string; lone surrogates become U+FFFD, as `TextEncoder` does. A value
   * that is not a string (a span named by a number, from untyped code) is written as an empty
   * string, as OTel JS writes a number, rather than failing the whole request.
   */
  string(text: string): void {
    if (typeof text !== 'string') {
      this.byte(0);
      return;
    }
    const n = text.length;
    if (n < SHORT_STRING) {
      this.ensure(1 + n);
      const buf = this.buf;
      const start = this.pos;
      let p = start + 1;
      let i = 0;
      for (; i < n; i++) {
        const c = text.charCodeAt(i);
        if (c > 0x7f) break;
        buf[p++] = c;
      }
      if (i === n) {
        buf[start] = n;
        this.pos = p;
        return;
      }
    }
    // At most 3 bytes per UTF-16 unit; guess the length prefix for ASCII and fix it up after.
    const guess = varintSize(n);
    this.ensure(guess + 3 * n);
    const start = this.pos;
    const written = (this.buf as Utf8Writable).utf8Write(text, start + guess, 3 * n);
    this.pos = start + guess + written;
    this.#patchLength(start, guess, written);
  }

  /** Length-prefixed bytes. */
  bytes(bytes: Uint8Array): void {
    this.varint(bytes.length);
    this.raw(bytes);
  }

  /**
   * A hex id (trace or span id) as length-prefixed bytes, decoded as OTel JS decodes it:
   * upper- and lower-case digits, other characters mapped the same lenient way, and a last
   * odd character dropped.
   */
  hexId(hex: string): void {
    const bytes = hex.length >>> 1;
    this.varint(bytes);
    this.ensure(bytes);
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < 2 * bytes; i += 2) {
      buf[p++] = (nibble(hex.charCodeAt(i)) << 4) | nibble(hex.charCodeAt(i + 1));
    }
    this.pos = p;
  }

  /** Leaves `guess` bytes for a length and returns where they are, for `end()`. */
  begin(guess: number): number {
    this.ensure(guess);
    const start = this.pos;
    this.pos += guess;
    return start;
  }

  /** Writes the length of the message begun at `start` with `guess` bytes left for it. */
  end(start: number, guess: number): void {
    this.#patchLength(start, guess, this.pos - start - guess);
  }

  #patchLength(start: number, guess: number, length: number): void {
    const size = varintSize(length);
    if (size !== guess) {
      this.ensure(size - guess);
      this.buf.copyWithin(start + size, start + guess, this.pos);
      this.pos += size - guess;
    }
    const buf = this.buf;
    let p = start;
    let v = length;
    while (v > 0x7f) {
      buf[p++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    buf[p] = v;
  }
}

function nibble(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 102) return code - 87;
  return code - 55;
}
