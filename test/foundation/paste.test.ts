import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import "../../src/engine/common/http/filters.js";
import { HttpError } from "../../src/engine/common/http/errors.js";
import { PasteError, loadAppFromString } from "../../src/engine/common/http/paste.js";
import { registerApp } from "../../src/engine/common/http/registry.js";
import { Router, jsonBody } from "../../src/engine/common/http/router.js";
import { serve } from "../../src/engine/common/http/server.js";
import { json } from "../../src/engine/common/http/types.js";

// A tiny service to mount: echoes what it sees, fails on demand.
registerApp("test.echo", (_g, local) => {
  const r = new Router("nova");
  r.get("/things/{id}", (req) => json(200, { id: req.params.id, script: req.scriptName, greeting: local.greeting ?? null }));
  r.post("/things", async (req) => json(201, { got: await jsonBody(req) }));
  r.get("/boom", () => {
    throw new Error("secret internal detail");
  });
  r.get("/missing", () => {
    throw new HttpError(404, "Thing missing could not be found.");
  });
  return r.app();
});
registerApp("test.versions", () => async () => json(300, { versions: [] }));

const PASTE = `
[DEFAULT]
error_format = nova

[composite:main]
use = urlmap
/ = versions
/v1 = api

[pipeline:api]
pipeline = request_id faultwrap sizelimit trace echo

[app:echo]
paste.app_factory = test.echo
greeting = hello

[app:versions]
paste.app_factory = test.versions

[filter:request_id]
paste.filter_factory = pocketstack.request_id
compat_headers = x-compute-request-id

[filter:faultwrap]
paste.filter_factory = pocketstack.faultwrap

[filter:sizelimit]
paste.filter_factory = pocketstack.sizelimit
max_request_body_size = 64

[filter:trace]
paste.filter_factory = pocketstack.trace
`;

let server: Server | undefined;
afterEach(() => server?.close());

async function start(text: string) {
  server = await serve(await loadAppFromString(text, "main", {}, "api-paste.ini"), 0);
  const { port } = server.address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
}

describe("api-paste.ini pipelines", () => {
  it("dispatches by URL prefix, passes local config, and runs every filter", async () => {
    const base = await start(PASTE);
    const res = await fetch(`${base}/v1/things/42`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id: "42", script: "/v1", greeting: "hello" });
    expect(res.headers.get("x-openstack-request-id")).toMatch(/^req-[0-9a-f-]{36}$/);
    expect(res.headers.get("x-compute-request-id")).toBe(res.headers.get("x-openstack-request-id"));
    expect((await fetch(`${base}/`)).status).toBe(300);
  });

  it("faultwrap turns an unexpected error into the service's 500 body without the stack", async () => {
    const base = await start(PASTE);
    const res = await fetch(`${base}/v1/boom`);
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(JSON.parse(text)).toHaveProperty("computeFault.code", 500);
    expect(text).not.toContain("secret internal detail");
    expect(text).not.toContain("at ");
  });

  it("answers 404/405 and 400 in the service's own error body", async () => {
    const base = await start(PASTE);
    const missing = await fetch(`${base}/v1/missing`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ itemNotFound: { code: 404, message: "Thing missing could not be found." } });
    const badMethod = await fetch(`${base}/v1/things/1`, { method: "DELETE" });
    expect(badMethod.status).toBe(405);
    expect(badMethod.headers.get("allow")).toContain("GET");
    const badJson = await fetch(`${base}/v1/things`, { method: "POST", body: "{nope", headers: { "content-type": "application/json" } });
    expect(badJson.status).toBe(400);
    expect((await badJson.json()).badRequest.message).toMatch(/Malformed JSON/);
  });

  it("sizelimit answers 413 for a body over the limit, declared or chunked", async () => {
    const base = await start(PASTE);
    const big = JSON.stringify({ x: "y".repeat(100) });
    const declared = await fetch(`${base}/v1/things`, { method: "POST", body: big });
    expect(declared.status).toBe(413);
    const stream = new ReadableStream({
      start(c) {
        c.enqueue(new TextEncoder().encode(big));
        c.close();
      },
    });
    const chunked = await fetch(`${base}/v1/things`, { method: "POST", body: stream, duplex: "half" } as RequestInit);
    expect(chunked.status).toBe(413);
    const small = await fetch(`${base}/v1/things`, { method: "POST", body: '{"a":1}' });
    expect(small.status).toBe(201);
  });

  it("a filter removed from the pipeline line is gone from the behaviour", async () => {
    const base = await start(PASTE.replace("pipeline = request_id faultwrap", "pipeline = faultwrap"));
    const res = await fetch(`${base}/v1/things/1`);
    expect(res.status).toBe(200);
    expect(res.headers.get("x-openstack-request-id")).toBeNull();
  });

  it("picks a pipeline by auth_strategy in an auth_strategy composite", async () => {
    const text = `${PASTE.replace("[pipeline:api]\npipeline = request_id faultwrap sizelimit trace echo", "[composite:api]\nuse = auth_strategy\nkeystone = request_id echo\nnoauth2 = echo")}`;
    const withId = await loadAppFromString(text, "main", { auth_strategy: "keystone" });
    const without = await loadAppFromString(text, "main", { auth_strategy: "noauth2" });
    server = await serve(withId, 0);
    const p1 = (server.address() as AddressInfo).port;
    expect((await fetch(`http://127.0.0.1:${p1}/v1/things/1`)).headers.get("x-openstack-request-id")).not.toBeNull();
    server.close();
    server = await serve(without, 0);
    const p2 = (server.address() as AddressInfo).port;
    expect((await fetch(`http://127.0.0.1:${p2}/v1/things/1`)).headers.get("x-openstack-request-id")).toBeNull();
  });
});

describe("api-paste.ini errors name the file and line", () => {
  const load = (text: string) => loadAppFromString(text, "main", {}, "api-paste.ini");

  it("rejects a malformed line", async () => {
    await expect(load("[app:main]\npaste.app_factory = test.echo\nthis line is wrong\n")).rejects.toThrow(
      /api-paste\.ini:3: expected 'key = value'/,
    );
  });

  it("rejects a malformed section header", async () => {
    await expect(load("[app:main\n")).rejects.toThrow(/api-paste\.ini:1: malformed section header/);
  });

  it("rejects a reference to a section that does not exist", async () => {
    await expect(load("[pipeline:main]\npipeline = nosuchfilter echo\n\n[app:echo]\nuse = test.echo\n")).rejects.toThrow(
      /api-paste\.ini:2: \[pipeline:main\] refers to 'nosuchfilter', but there is no \[filter:nosuchfilter\]/,
    );
  });

  it("rejects an unknown factory", async () => {
    await expect(load("[app:main]\npaste.app_factory = no.such.factory\n")).rejects.toThrow(
      /api-paste\.ini:2: unknown app factory 'no\.such\.factory'/,
    );
  });

  it("rejects a cycle with the chain of names", async () => {
    const text = "[composite:main]\nuse = urlmap\n/ = a\n\n[pipeline:a]\npipeline = b\n\n[pipeline:b]\npipeline = main\n";
    const err = await load(text).catch((e) => e);
    expect(err).toBeInstanceOf(PasteError);
    expect(err.message).toMatch(/api-paste\.ini:9: cycle in pipeline definitions: main -> a -> b -> main/);
  });
});
