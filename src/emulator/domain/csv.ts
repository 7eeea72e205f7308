import type { Readable } from "node:stream";
import { StringDecoder } from "node:string_decoder";

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
    if (this.problem !== undefined) return;
    for (const ch of text) {
      this.step(ch);
      if (this.problem !== undefined) return;
    }
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

  private step(ch: string): void {
    if (ch !== "\n" && ch !== "\r" && ch.trim() !== "") this.sawContent = true;
    if (this.inQuotes) {
      if (ch === '"') {
        this.inQuotes = false;
        this.quoteClosed = true;
      } else {
        if (ch === "\n") this.line += 1;
        this.appendToField(ch);
      }
      return;
    }
    if (this.quoteClosed && ch === '"') {
      this.inQuotes = true;
      this.quoteClosed = false;
      this.appendToField('"');
      return;
    }
    const afterQuote = this.quoteClosed;
    this.quoteClosed = false;
    switch (ch) {
      case ",":
        this.endField();
        return;
      case "\r":
        return;
      case "\n":
        if (this.recordHasContent) this.endRecord();
        this.line += 1;
        return;
      case '"':
        if (this.field === "" && !this.fieldStarted) {
          this.inQuotes = true;
          this.fieldStarted = true;
          this.recordHasContent = true;
          return;
        }
        this.problem = `unexpected quote inside an unquoted field at line ${this.line}`;
        return;
      default:
        if (afterQuote) {
          this.problem = `text after a closing quote at line ${this.line}`;
          return;
        }
        this.appendToField(ch);
    }
  }

  private appendToField(ch: string): void {
    this.fieldStarted = true;
    this.recordHasContent = true;
    // Only header fields are kept; data fields are counted, not stored.
    if (this.header === undefined) this.field += ch;
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
