import { render } from "ink-testing-library";
import { it, vi, expect } from "vitest";
import { TraceWatchApp } from "../../src/tui/components/TraceWatchApp.js";
import { MemorySource } from "../../src/tui/data/source.js";
import { allFixtures } from "./fixtures.js";

it("peek", async () => {
  for (const size of [{ columns: 160, rows: 48 }, { columns: 80, rows: 24 }]) {
    const { lastFrame, stdin, unmount } = render(<TraceWatchApp source={new MemorySource(allFixtures())} size={size} />);
    await vi.waitFor(() => expect(lastFrame()).toContain("requests"));
    console.log(lastFrame());
    for (const k of ["\u001B[B", "\u001B[B", "\r", "\t", "\u001B[B", "\u001B[B", "\u001B[B"]) { stdin.write(k); await new Promise((r) => setTimeout(r, 100)); console.log(lastFrame()); }
    unmount();
  }
});
