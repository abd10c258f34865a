import { useMemo } from "react";
import type { SpanRecord } from "../../engine/common/trace/span.js";
import { buildSwimlane } from "../data/lanes.js";
import { buildWaterfall } from "../data/waterfall.js";

/** The waterfall and swimlane of one trace, rebuilt only when its spans change. */
export function useTraceModels(spans: SpanRecord[]) {
  const waterfall = useMemo(() => buildWaterfall(spans), [spans]);
  const swimlane = useMemo(() => buildSwimlane(spans), [spans]);
  return { waterfall, swimlane };
}
