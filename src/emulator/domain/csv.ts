import type { Readable } from "node:stream";
import { StringDecoder } from "node:string_decoder";

const COMMA = 0x2c;
const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;

/** What dataset ingestion learns from a file (API.md §8.1). */
export type CsvSummary =
  | { kind: "empty" }
  /** Not parseable as CSV: still a valid dataset, without row count or columns. */
  | { kind: "unparseable"; reason: string }
  | { kind: "table"; columns: string[]; rowCount: number };

/**
 * Streaming RFC 4180 reader (UTF-8, BOM removed, comma, `"` quoting, CRLF or LF). Keeps only the
 * header's fields in memory, so a multi-gigabyte dataset costs one chunk at a time.
 */
export class CsvScanner {
  private readonly decoder = new StringDecoder("utf8");
  private started = false;
  private sawContent = false;
  private inQuotes = false;
  /** The previous character closed a quoted field (a `"` next means an escaped quote). */
  private quoteClosed = false;
  private field = "";
  private fieldStarted = false;
  /** Header fields read so far (data fields are counted, never stored). */
  private pending: string[] = [];
  private fieldsInRecord = 0;
  private recordHasContent = false;
  private header: string[] | undefined;
  private rows = 0;
  private problem: string | undefined;
  private line = 1;

  write(chunk: Buffer | string): void {
    let text = typeof chunk === "string" ? chunk : this.decoder.write(chunk);
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    // charCodeAt in a plain loop: several times faster than iterating characters on big files.
    for (let i = 0; i < text.length && this.problem === undefined; i++)
      this.step(text.charCodeAt(i), text, i);
  }

  end(): CsvSummary {
    this.write(this.decoder.end());
    if (this.problem === undefined && this.inQuotes)
      this.problem = `unterminated quoted field at line ${this.line}`;
    if (this.problem === undefined && this.recordHasContent) this.endRecord();
    if (!this.sawContent) return { kind: "empty" };
    if (this.problem !== undefined) return { kind: "unparseable", reason: this.problem };
    return { kind: "table", columns: this.header ?? [], rowCount: this.rows };
  }

  private step(c: number, text: string, i: number): void {
    if (c !== LF && c !== CR && c !== SPACE && c !== TAB) this.sawContent = true;
    if (this.inQuotes) {
      if (c === QUOTE) {
        this.inQuotes = false;
        this.quoteClosed = true;
      } else {
        if (c === LF) this.line += 1;
        this.appendToField(text, i);
      }
      return;
    }
    if (this.quoteClosed && c === QUOTE) {
      // `""` inside a quoted field is one literal quote.
      this.inQuotes = true;
      this.quoteClosed = false;
      this.appendToField(text, i);
      return;
    }
    const afterQuote = this.quoteClosed;
    this.quoteClosed = false;
    if (c === COMMA) {
      this.endField();
    } else if (c === LF) {
      if (this.recordHasContent) this.endRecord();
      this.line += 1;
    } else if (c === CR) {
      return;
    } else if (c === QUOTE) {
      if (this.fieldStarted) {
        this.problem = `unexpected quote inside an unquoted field at line ${this.line}`;
        return;
      }
      this.inQuotes = true;
      this.fieldStarted = true;
      this.recordHasContent = true;
    } else if (afterQuote) {
      this.problem = `text after a closing quote at line ${this.line}`;
    } else {
      this.appendToField(text, i);
    }
  }

  private appendToField(text: string, i: number): void {
    this.fieldStarted = true;
    this.recordHasContent = true;
    // Only header fields are kept; data fields are counted, not stored.
    if (this.header === undefined) this.field += text[i] ?? "";
  }

  private endField(): void {
    this.recordHasContent = true;
    if (this.header === undefined) this.pending.push(this.field);
    this.field = "";
    this.fieldStarted = false;
    this.fieldsInRecord += 1;
  }

  private endRecord(): void {
    this.endField();
    if (this.header === undefined) {
      this.header = this.pending;
    } else if (this.fieldsInRecord !== this.header.length) {
      this.problem = `line ${this.line} has ${this.fieldsInRecord} fields, the header has ${this.header.length}`;
    } else {
      this.rows += 1;
    }
    this.fieldsInRecord = 0;
    this.recordHasContent = false;
  }
}

/** Reads a whole stream through a CsvScanner. */
export async function summariseCsv(source: Readable): Promise<CsvSummary> {
  const scanner = new CsvScanner();
  for await (const chunk of source as AsyncIterable<Buffer>) scanner.write(chunk);
  return scanner.end();
}
