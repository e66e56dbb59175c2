import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { writeTraceRequest } from './encode-trace-request.js';
import { nextTurn } from './next-turn.js';
import { WireWriter } from './wire-writer.js';

/** What one encoder call may hold the event loop for, in milliseconds. */
const BUDGET_MS = 4;
/** Per-span encode cost assumed before the first measurement: cold code (the demo services measured 60–120 µs). */
const COLD_MICROS_PER_SPAN = 100;
/** Smallest piece worth a call: each piece repeats the resource and scope on the wire. */
const MIN_PIECE = 16;
/**
 * Writers kept between requests, for all encoders of the process. Requests being encoded at
 * the same time (two exports in flight, routing groups sent side by side) each need their own;
 * more than this are made for the moment and dropped after.
 */
const KEEP_WRITERS = 2;
const idleWriters: WireWriter[] = [];

function giveBack(writer: WireWriter): void {
  if (idleWriters.length < KEEP_WRITERS) idleWriters.push(writer);
}

/** A request in the encoder's own buffer (`PacedEncoder.lease`). */
export interface EncodedLease {
  readonly bytes: Uint8Array;
  /** Gives the buffer back for the next request; `bytes` must not be read after. */
  release(): void;
}

export interface PacedEncoderOptions {
  budgetMs?: number;
  /**
   * Appends the encoding of `spans` to `writer`; false when they cannot be encoded. The default
   * is core's encoder (`writeTraceRequest`).
   */
  write?: (writer: WireWriter, spans: ReadableSpan[]) => boolean;
  now?: () => number;
  nextTurn?: () => Promise<void>;
}

/**
 * Encodes OTLP protobuf request bodies without holding the event loop longer than a few
 * milliseconds, at no cost once the encoder is hot.
 *
 * Encoding is synchronous. A service that exports every few seconds never gets the encoder
 * optimised, and there 256 spans took 13–16 ms in one tick (the demo's event-loop stalls). So
 * the encoder learns what a span costs: while a whole request fits the budget it is one call,
 * as before; when it does not, the request is encoded in pieces that do, with a turn of the event
 * loop between them. The pieces are written one after another into one buffer: serialized
 * `ExportTraceServiceRequest`s concatenate into one whose `resource_spans` are all of theirs
 * (protobuf appends repeated fields), so the receiver decodes the same spans, in the same order,
 * and the body is copied out once, as a request encoded in one call is.
 */
export class PacedEncoder {
  readonly #budgetMicros: number;
  readonly #write: (writer: WireWriter, spans: ReadableSpan[]) => boolean;
  readonly #now: () => number;
  readonly #nextTurn: () => Promise<void>;
  #microsPerSpan = COLD_MICROS_PER_SPAN;

  constructor(options: PacedEncoderOptions = {}) {
    this.#budgetMicros = (options.budgetMs ?? BUDGET_MS) * 1000;
    this.#write = options.write ?? writeAll;
    this.#now = options.now ?? (() => performance.now());
    this.#nextTurn = options.nextTurn ?? nextTurn;
  }

  /** The current estimate of one span's encode time (µs), for tests and diagnostics. */
  get microsPerSpan(): number {
    return this.#microsPerSpan;
  }

  /** One request body for `spans`, or undefined when the writer could not encode them. */
  async encode(spans: ReadableSpan[]): Promise<Uint8Array | undefined> {
    const writer = await this.#writeRequest(spans);
    if (!writer) return undefined;
    try {
      return writer.finish();
    } finally {
      giveBack(writer);
    }
  }

  /**
   * The request for `spans` as it lies in the encoder's buffer, not copied: for a caller that
   * only reads it before it can be dropped (gzip compresses it into a body of its own). The
   * bytes stay valid until `release()`, and must not be used after it.
   */
  async lease(spans: ReadableSpan[]): Promise<EncodedLease | undefined> {
    const writer = await this.#writeRequest(spans);
    if (!writer) return undefined;
    let released = false;
    return {
      bytes: new Uint8Array(writer.buf.buffer, writer.buf.byteOffset, writer.pos),
      release: () => {
        // Twice would hand one buffer to two requests.
        if (released) return;
        released = true;
        giveBack(writer);
      },
    };
  }

  /** Writes `spans` into a writer of the pool, piece by piece; undefined when they cannot be. */
  async #writeRequest(spans: ReadableSpan[]): Promise<WireWriter | undefined> {
    // Every piece is written into this one writer, after the one before, so the request is
    // never joined from parts.
    const writer = idleWriters.pop() ?? new WireWriter();
    writer.reset();
    let written = false;
    try {
      for (let start = 0; start < spans.length; ) {
        if (start > 0) await this.#nextTurn();
        const fit = Math.max(MIN_PIECE, Math.floor(this.#budgetMicros / this.#microsPerSpan));
        const piece = start === 0 && fit >= spans.length ? spans : spans.slice(start, start + fit);
        const began = this.#now();
        if (!this.#write(writer, piece)) return undefined;
        this.#learn(((this.#now() - began) * 1000) / piece.length);
        start += piece.length;
      }
      written = true;
      return writer;
    } finally {
      if (!written) giveBack(writer);
    }
  }

  /**
   * The newest measurement wins: code only gets faster as it warms up, and after a GC pause
   * inflates one piece, the next piece measures the real cost again.
   */
  #learn(micros: number): void {
    if (Number.isFinite(micros) && micros >= 0) this.#microsPerSpan = Math.max(0.1, micros);
  }
}

function writeAll(writer: WireWriter, spans: ReadableSpan[]): boolean {
  writeTraceRequest(writer, spans);
  return true;
}
