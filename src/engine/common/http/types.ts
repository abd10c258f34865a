import type { IncomingHttpHeaders, IncomingMessage } from "node:http";
import type { Readable } from "node:stream";

/** What an app sees of a request: the WSGI environ, in TypeScript. Filters may add to `environ`. */
export interface HttpRequest {
  method: string;
  /** Path relative to where this app is mounted (a composite strips its prefix, like SCRIPT_NAME). */
  path: string;
  /** The prefix a composite consumed (WSGI's SCRIPT_NAME). */
  scriptName: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** Reads the whole body once (sizelimit may cap it); later calls return the same buffer. */
  body(): Promise<Buffer>;
  /** The raw node stream, for handlers that stream uploads. */
  raw: IncomingMessage;
  environ: Record<string, unknown>;
  /** Path parameters filled in by the router. */
  params: Record<string, string>;
}

export type ResponseBody = string | Buffer | Readable | undefined;

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[]>;
  body?: ResponseBody;
}

export type App = (req: HttpRequest) => Promise<HttpResponse>;
export type Filter = (app: App) => App;

/** Settings from the paste file's [DEFAULT] plus what the service hands to the loader. */
export type GlobalConf = Record<string, unknown>;
export type LocalConf = Record<string, string>;
export type AppFactory = (global: GlobalConf, local: LocalConf) => App | Promise<App>;
export type FilterFactory = (global: GlobalConf, local: LocalConf) => Filter | Promise<Filter>;

export function json(status: number, body: unknown, headers: Record<string, string | string[]> = {}): HttpResponse {
  return { status, headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) };
}

export function empty(status = 204, headers: Record<string, string | string[]> = {}): HttpResponse {
  return { status, headers, body: undefined };
}
