// Keystone packs a token's auth methods into one integer: the i-th name of [auth] methods gets bit
// 2**i. Its default list (keystone/conf/constants.py _DEFAULT_AUTH_METHODS) is used here, so the
// numbers match a stock Keystone: external=1, password=2, token=4, oauth1=8, mapped=16,
// application_credential=32.
export const AUTH_METHODS = ["external", "password", "token", "oauth1", "mapped", "application_credential"] as const;

export function methodsToInteger(methods: readonly string[]): number {
  let bits = 0;
  for (const name of methods) {
    const index = (AUTH_METHODS as readonly string[]).indexOf(name);
    // Keystone silently drops unknown names; failing loudly keeps a token from losing what it says.
    if (index < 0) throw new TypeError(`unknown auth method '${name}' (known: ${AUTH_METHODS.join(", ")})`);
    bits |= 1 << index;
  }
  return bits;
}

/** Names for a bitmask, in Keystone's order: highest bit first. */
export function integerToMethods(bits: number): string[] {
  if (!Number.isInteger(bits) || bits < 0 || bits >= 1 << AUTH_METHODS.length) {
    throw new TypeError(`auth method bitmask ${bits} is out of range`);
  }
  const names: string[] = [];
  for (let i = AUTH_METHODS.length - 1; i >= 0; i--) {
    if (bits & (1 << i)) names.push(AUTH_METHODS[i]);
  }
  return names;
}
