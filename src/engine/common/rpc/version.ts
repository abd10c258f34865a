/**
 * RPC API versions "MAJOR.MINOR" (oslo's version_is_compatible): a server implementing `impl` accepts a
 * call asking for `wanted` when the majors are equal and impl's minor is at least wanted's.
 */
export function parseVersion(v: string): [number, number] {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(v.trim());
  if (!m) throw new Error(`invalid RPC version '${v}': expected MAJOR.MINOR, e.g. 6.0`);
  return [Number(m[1]), Number(m[2] ?? 0)];
}

export function versionIsCompatible(impl: string, wanted: string): boolean {
  const [iMaj, iMin] = parseVersion(impl);
  const [wMaj, wMin] = parseVersion(wanted);
  return iMaj === wMaj && iMin >= wMin;
}
