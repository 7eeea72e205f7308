import got, { HTTPError, RequestError } from "got";

export interface NotifierOptions {
  /** Per attempt. */
  timeoutMs?: number;
  /** Retries after the first attempt (5xx, 429, timeouts, connection errors), with backoff. */
  retries?: number;
  /** Notifications waiting beyond this are dropped, oldest first: a dead webhook costs bounded memory. */
  maxQueue?: number;
  /** A notification given up on (never the URL: a webhook URL is a secret). */
  onFailure: (message: string) => void;
}

/**
 * `watch --notify URL`: POSTs events as JSON to a webhook, one at a time, from a queue drained in
 * the background, so a slow, hanging or failing webhook never delays the loop.
 */
export class Notifier {
  private readonly queue: object[] = [];
  private draining: Promise<void> | undefined;
  private readonly controller = new AbortController();
  private dropped = 0;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly maxQueue: number;

  constructor(
    private readonly url: string,
    private readonly options: NotifierOptions,
  ) {
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.retries = options.retries ?? 3;
    this.maxQueue = options.maxQueue ?? 100;
  }

  /** Queues one notification; returns at once. */
  push(body: object): void {
    if (this.controller.signal.aborted) return;
    this.queue.push(body);
    if (this.queue.length > this.maxQueue) {
      this.queue.shift();
      this.dropped++;
    }
    this.draining ??= this.drain().finally(() => (this.draining = undefined));
  }

  /** Gives what is queued up to `graceMs` to go out, then abandons the rest. */
  async close(graceMs = 500): Promise<void> {
    if (this.draining) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.draining, new Promise((r) => (timer = setTimeout(r, graceMs)))]);
      clearTimeout(timer);
    }
    this.queue.length = 0;
    this.controller.abort();
    await this.draining;
  }

  private async drain(): Promise<void> {
    for (let body = this.queue.shift(); body !== undefined; body = this.queue.shift()) {
      if (this.dropped > 0) {
        this.options.onFailure(
          `notify: dropped ${this.dropped} notification(s): the webhook is not keeping up`,
        );
        this.dropped = 0;
      }
      try {
        await got.post(this.url, {
          json: body,
          timeout: { request: this.timeoutMs },
          retry: {
            limit: this.retries,
            methods: ["POST"],
            backoffLimit: 10_000,
          },
          signal: this.controller.signal,
        });
      } catch (error) {
        if (this.controller.signal.aborted) return;
        this.options.onFailure(`notify: webhook failed after ${this.retries + 1} attempts: ${reason(error)}`);
      }
    }
  }
}

/** Why a POST failed, without the URL (got's messages carry it, and a webhook URL is a secret). */
function reason(error: unknown): string {
  if (error instanceof HTTPError) return `HTTP ${error.response.statusCode}`;
  if (error instanceof RequestError) return error.code;
  return "unexpected error";
}
