import type { ServerResponse } from "node:http";
import { sendJson, startBareServer, type BareServer, type Received } from "../client/helpers/bare-server.js";

export interface StoredComment {
  id: number;
  issue: number;
  body: string;
}

/** A stand-in for the GitHub REST API's issue comments, paginated with `Link` like the real one. */
export class FakeGitHub {
  comments: StoredComment[] = [];
  nextId = 1000;
  pageSize = 100;
  /** Answer the next requests with these instead (status, JSON body, extra headers). */
  failures: { status: number; body: unknown; headers?: Record<string, string> }[] = [];
  /** Where a `Link: rel="next"` points; default this server. */
  linkOrigin: string | undefined;
  server!: BareServer;

  constructor(
    readonly prefix: string,
    readonly token: string,
  ) {}

  async start(): Promise<this> {
    this.server = await startBareServer((req, res) => this.handle(req, res));
    return this;
  }

  get apiUrl(): string {
    return `${this.server.origin}${this.prefix}`;
  }

  get received(): Received[] {
    return this.server.received;
  }

  add(issue: number, body: string): StoredComment {
    const comment = { id: this.nextId++, issue, body };
    this.comments.push(comment);
    return comment;
  }

  private view(c: StoredComment) {
    return {
      id: c.id,
      body: c.body,
      html_url: `https://github.example/acme/models/pull/${c.issue}#issuecomment-${c.id}`,
    };
  }

  private handle(req: Received, res: ServerResponse): void {
    const failure = this.failures.shift();
    if (failure !== undefined) return sendJson(res, failure.status, failure.body, failure.headers);
    if (req.headers.authorization !== `Bearer ${this.token}`)
      return sendJson(res, 401, {
        message: "Bad credentials",
        documentation_url: "https://docs.github.com/rest",
      });
    const url = new URL(req.url, this.server.origin);
    const path = url.pathname.slice(this.prefix.length);
    const list = /^\/repos\/acme\/models\/issues\/(\d+)\/comments$/.exec(path);
    const one = /^\/repos\/acme\/models\/issues\/comments\/(\d+)$/.exec(path);
    if (list && req.method === "GET") {
      const all = this.comments.filter((c) => c.issue === Number(list[1]));
      const size = Math.min(Number(url.searchParams.get("per_page") ?? 30), this.pageSize);
      const page = Number(url.searchParams.get("page") ?? 1);
      const last = Math.max(1, Math.ceil(all.length / size));
      const link = (p: number) => {
        const next = new URL(url.href.replace(this.server.origin, this.linkOrigin ?? this.server.origin));
        next.searchParams.set("page", String(p));
        return next.href;
      };
      const headers: Record<string, string> =
        page < last ? { link: `<${link(page + 1)}>; rel="next", <${link(last)}>; rel="last"` } : {};
      return sendJson(
        res,
        200,
        all.slice((page - 1) * size, page * size).map((c) => this.view(c)),
        headers,
      );
    }
    if (list && req.method === "POST") {
      const { body } = JSON.parse(req.body.toString("utf8")) as { body: string };
      return sendJson(res, 201, this.view(this.add(Number(list[1]), body)));
    }
    if (one && req.method === "PATCH") {
      const comment = this.comments.find((c) => c.id === Number(one[1]));
      if (comment === undefined) return sendJson(res, 404, { message: "Not Found" });
      comment.body = (JSON.parse(req.body.toString("utf8")) as { body: string }).body;
      return sendJson(res, 200, this.view(comment));
    }
    return sendJson(res, 404, { message: "Not Found" });
  }
}
