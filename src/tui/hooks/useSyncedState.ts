import { useCallback, useRef, useState } from "react";

/**
 * State whose latest value is also readable at once through a ref. Keys can arrive faster than React
 * re-renders (a held-down arrow, a pasted filter); a key handler that read the rendered value would act
 * on stale state and drop keys.
 */
export function useSyncedState<T>(initial: T): [T, (next: T | ((prev: T) => T)) => void, { readonly current: T }] {
  const [value, setValue] = useState(initial);
  const ref = useRef(initial);
  const set = useCallback((next: T | ((prev: T) => T)) => {
    ref.current = typeof next === "function" ? (next as (prev: T) => T)(ref.current) : next;
    setValue(ref.current);
  }, []);
  return [value, set, ref];
}
