import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { check, extract } from "../../src/engine/labs/expect.js";
import { evaluate } from "../../src/engine/labs/jsonpath.js";
import { LabFormatError, labNames, loadLab, loadLabFile } from "../../src/engine/labs/load.js";
import { match } from "../../src/engine/labs/matchers.js";
import { type LabReporter, runLab } from "../../src/engine/labs/runner.js";
import { rowsOf } from "../../src/engine/labs/table.js";
import { fillArgs } from "../../src/engine/labs/template.js";

// The lab format without a cloud: every shipped lab validates, a broken one is named by file and
// field, and the expectation engine says in one line what did not hold.

const dir = mkdtempSync(join(tmpdir(), "labs-format-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
function labFile(name: string, text: string): string {
  const f = join(dir, `${name}.yaml`);
  writeFileSync(f, text);
  return f;
}

describe("the shipped labs", () => {
  it("has the six labs of the seed, each valid", () => {
    const names = labNames();
    expect(names).toEqual(["infrastructure", "keystone", "glance-placement", "nova", "tls", "middleware"]);
    for (const n of names) expect(loadLab(n).steps.length).toBeGreaterThan(3);
  });

  it("an unknown lab lists the known ones", () => {
    expect(() => loadLab("nope")).toThrow(/No lab named 'nope'. Labs: infrastructure, keystone/);
  });
});

describe("a malformed lab is reported with its file and field", () => {
  const cases: Array<[string, string, RegExp]> = [
    [
      "typo",
      "title: t\nteaches: x\nsteps:\n  - title: a\n    os: [user, list]\n    expcet: {exit: 0}\n",
      /typo\.yaml: step 1 \("a"\): unknown field 'expcet'/,
    ],
    ["noteaches", "title: t\nsteps:\n  - title: a\n    os: [user, list]\n", /noteaches\.yaml: the top level: missing field 'teaches'/],
    [
      "badexit",
      "title: t\nteaches: x\nsteps:\n  - title: a\n    os: [x]\n  - title: b\n    os: [y]\n    expect: {exit: zero}\n",
      /badexit\.yaml: step 2 \("b"\): expect\.exit must be integer/,
    ],
    [
      "twoactions",
      "title: t\nteaches: x\nsteps:\n  - title: a\n    os: [x]\n    shell: ls\n",
      /step 1 \("a"\): a step needs exactly one of os, http, shell, edit, restart \(found os, shell\)/,
    ],
    [
      "badpath",
      "title: t\nteaches: x\nsteps:\n  - title: a\n    os: [x]\n    expect: {json: {'name': 1}}\n",
      /step 1 \("a"\): expect\.json: JSON path 'name' must start with \$/,
    ],
    ["badyaml", "title: t\nteaches: [x\n", /badyaml\.yaml:\d+:\d+: not valid YAML/],
    [
      "badmatcher",
      "title: t\nteaches: x\nsteps:\n  - title: a\n    os: [x]\n    expect: {json: {$.a: {$regexp: x}}}\n",
      /unknown matcher \$regexp/,
    ],
    [
      "statusonos",
      "title: t\nteaches: x\nsteps:\n  - title: a\n    os: [x]\n    expect: {status: 200}\n",
      /expect\.status and expect\.headers are for http steps/,
    ],
    [
      "whenrange",
      "title: t\nteaches: x\nsteps:\n  - title: a\n    os: [x]\ncleanup:\n  - title: c\n    when: {passed: 4}\n    os: [y]\n",
      /cleanup step 1 \("c"\): when\.passed names step 4, but the lab has 1 steps/,
    ],
  ];
  for (const [name, text, message] of cases)
    it(name, () => {
      const f = labFile(name, text);
      expect(() => loadLabFile(f)).toThrow(LabFormatError);
      expect(() => loadLabFile(f)).toThrow(message);
    });
});

describe("JSON paths", () => {
  const doc = {
    token: { roles: [{ name: "admin" }, { name: "reader" }], catalog: [{ type: "identity", endpoints: [{ interface: "public" }] }] },
    "OS-EXT-SRV-ATTR:host": "compute1",
    allocations: { "0a1b-uuid": { resources: { VCPU: 1 } } },
  };
  it("reads names, indexes, wildcards, quoted keys and filters", () => {
    expect(evaluate("$.token.roles[0].name", doc)).toBe("admin");
    expect(evaluate("$.token.roles[-1].name", doc)).toBe("reader");
    expect(evaluate("$.token.roles[*].name", doc)).toEqual(["admin", "reader"]);
    expect(evaluate("$['OS-EXT-SRV-ATTR:host']", doc)).toBe("compute1");
    expect(evaluate("$.allocations['0a1b-uuid'].resources.VCPU", doc)).toBe(1);
    expect(evaluate("$.token.catalog[?(@.type == 'identity')].endpoints[*].interface", doc)).toEqual(["public"]);
    expect(evaluate("$.token.roles[?(@.name != 'admin')].name", doc)).toEqual(["reader"]);
    expect(evaluate("$.token.missing", doc)).toBeUndefined();
  });
});

describe("matchers", () => {
  it("plain values and $-matchers", () => {
    expect(match("a", "a")).toBeUndefined();
    expect(match(["a", "b"], { $contains: ["b"] })).toBeUndefined();
    expect(match(["a"], { $contains: ["b"] })).toBe('to contain ["b"]');
    expect(match("req-1", { $regex: "^req-" })).toBeUndefined();
    expect(match(undefined, { $exists: false })).toBeUndefined();
    expect(match("x", { $exists: false })).toBe("to be absent");
    expect(match(3, { $gte: 4 })).toBe("to be >= 4");
    expect(match([1, 2], { $length: 2 })).toBeUndefined();
    expect(match("4", 4, true)).toBeUndefined();
    expect(match("4", 4)).toBe("to be 4");
  });
});

const TABLE = `+----+----------------+----------+-------+
| ID | Binary         | Host     | State |
+----+----------------+----------+-------+
|  1 | nova-scheduler | control  | up    |
|  7 | nova-compute   | compute1 | down  |
+----+----------------+----------+-------+`;

describe("expectations", () => {
  it("a table row that is not there is one readable line", () => {
    expect(rowsOf(TABLE)).toEqual([
      { ID: "1", Binary: "nova-scheduler", Host: "control", State: "up" },
      { ID: "7", Binary: "nova-compute", Host: "compute1", State: "down" },
    ]);
    const failures = check({ table_rows: [{ Binary: "nova-compute", State: "up" }], row_count: 2 }, { exit: 0, stdout: TABLE, stderr: "" });
    expect(failures).toEqual(["no row with Binary=nova-compute, State=up in the table"]);
  });

  it("a wrong exit code says what the command said", () => {
    expect(check(undefined, { exit: 1, stdout: "", stderr: "No user with a name or ID of 'bob' exists.\n" })).toEqual([
      "exit code 1, expected 0: No user with a name or ID of 'bob' exists.",
    ]);
  });

  it("a failed command's JSON answer is summed up by its message", () => {
    const stdout = JSON.stringify(
      { ok: false, chain: [{ depth: 0 }], problems: [{ code: "hostname mismatch", message: "'x' does not cover host 'y'" }] },
      null,
      2,
    );
    expect(check(undefined, { exit: 1, stdout, stderr: "" })).toEqual(["exit code 1, expected 0: 'x' does not cover host 'y'"]);
  });

  it("json, contains, regex, headers and status", () => {
    const out = { status: 403, headers: { "x-openstack-request-id": "req-1" }, stdout: '{"error": {"code": 403}}', stderr: "" };
    expect(check({ status: 403, json: { "$.error.code": 403 }, headers: { "x-openstack-request-id": { $regex: "^req-" } } }, out)).toEqual(
      [],
    );
    expect(check({ status: 200 }, out)).toEqual(['HTTP 403, expected 200: {"error": {"code": 403}}']);
    expect(check({ status: 403, json: { "$.error.code": 404 } }, out)).toEqual(["expected $.error.code to be 404, got 403"]);
    expect(check({ status: 403, contains: "nope", regex: 'code"?: 40\\d' }, out)).toEqual(['the output does not contain "nope"']);
    expect(check({ status: 403, headers: { "x-openstack-request-id": { $exists: false } } }, out)).toEqual([
      'expected header x-openstack-request-id to be absent, got "req-1"',
    ]);
  });

  it("saves values by JSON path, regex and header", () => {
    const out = { status: 200, headers: { "x-subject-token": "gAAA" }, stdout: '[{"name": "compute1", "uuid": "u1"}]', stderr: "" };
    expect(
      extract({ rp: "$[?(@.name == 'compute1')].uuid", tok: { header: "X-Subject-Token" }, n: { regex: '"name": "(\\w+)"' } }, out),
    ).toEqual({
      values: { rp: "u1", tok: "gAAA", n: "compute1" },
      failures: [],
    });
    expect(extract({ rp: "$[5].uuid" }, out).failures).toEqual(['could not save rp: "$[5].uuid" found nothing']);
  });

  it("spreads list variables into arguments", () => {
    expect(fillArgs(["cloud", "up", "{{...set_flags}}", "--state-dir", "{{state}}"], { set_flags: ["--set", "a=1"], state: "/s" })).toEqual(
      ["cloud", "up", "--set", "a=1", "--state-dir", "/s"],
    );
    expect(() => fillArgs(["{{rp}}"], {})).toThrow("{{rp}} is not defined (no earlier step saved it)");
  });
});

describe("ports: free ports a lab picks for servers of its own", () => {
  const quiet: LabReporter = { start() {}, step() {}, result() {}, summary() {} };
  const lab = () =>
    loadLabFile(
      labFile(
        "ported",
        [
          "title: t",
          "teaches: x",
          "ports: [api, bus]",
          "steps:",
          "  - title: before any port is used",
          '    shell: \'test ! -e "$WORK/vars.json" || ! grep -q port "$WORK/vars.json"\'',
          "  - title: both ports",
          "    shell: 'echo {{port.api}} {{port.bus}}'",
          "    expect: { regex: '^\\d+ \\d+$' }",
          "    save: { seen: { regex: '^(.*)$' } }",
        ].join("\n"),
      ),
    );

  it("picks distinct free ports just before the first step that uses them, and --step reuses them", async () => {
    const state = mkdtempSync(join(dir, "state-"));
    const full = await runLab(lab(), { stateDir: state, reporter: quiet });
    expect(
      full.steps.map((s) => [s.status, s.failures]),
      full.steps[0]?.output,
    ).toEqual([
      ["passed", []],
      ["passed", []],
    ]);
    const [api, bus] = (full.steps[1]?.saved.seen ?? "").split(" ").map(Number);
    expect(api).toBeGreaterThan(1023);
    expect(bus).toBeGreaterThan(1023);
    expect(api).not.toBe(bus);
    const again = await runLab(lab(), { stateDir: state, reporter: quiet, only: 2 });
    expect(again.steps[0]?.saved.seen).toBe(`${api} ${bus}`);
  });

  it("a port name must be a plain word", () => {
    const f = labFile("badport", "title: t\nteaches: x\nports: ['key stone']\nsteps:\n  - title: a\n    shell: 'true'\n");
    expect(() => loadLabFile(f)).toThrow(/badport\.yaml: ports\[0\] must match pattern/);
  });
});
