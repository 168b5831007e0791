/** Fails when anything was added to the shared prototypes (prototype pollution). */
export function assertPrototypesClean(): void {
  const probes: Array<[string, object]> = [
    ['Object.prototype', Object.prototype],
    ['Array.prototype', Array.prototype],
    ['Function.prototype', Function.prototype],
  ];
  for (const [name, proto] of probes) {
    const keys = Object.getOwnPropertyNames(proto).filter((k) => !BASELINE.get(name)!.has(k));
    if (keys.length > 0) throw new Error(`${name} was polluted with ${keys.join(', ')}`);
  }
  const plain = {} as Record<string, unknown>;
  for (const key of ['polluted', 'p', 'isAdmin']) {
    if (plain[key] !== undefined)
      throw new Error(`({}).${key} is ${String(plain[key])}: prototype polluted`);
  }
}

const BASELINE = new Map<string, Set<string>>([
  ['Object.prototype', new Set(Object.getOwnPropertyNames(Object.prototype))],
  ['Array.prototype', new Set(Object.getOwnPropertyNames(Array.prototype))],
  ['Function.prototype', new Set(Object.getOwnPropertyNames(Function.prototype))],
]);

/** JSON objects whose keys try to reach a prototype when assigned naively. */
export const HOSTILE_JSON = [
  '{"__proto__": {"polluted": "yes"}}',
  '{"constructor": {"prototype": {"polluted": "yes"}}}',
  '{"a": [{"__proto__": {"isAdmin": true}}], "prototype": {"p": 1}}',
  '{"__proto__": null, "toString": "x", "hasOwnProperty": 1, "valueOf": {}}',
].map((text) => JSON.parse(text) as Record<string, unknown>);
