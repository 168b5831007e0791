/**
 * Summarises a V8 CPU profile (`node --cpu-prof …`): self time per function, with file:line,
 * the library's own frames (libs/flux) marked. Usage:
 *   node dist/bench/profile-summary.js <file.cpuprofile> [top=30] [filter]
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

function main(): void {
  const [file, topArg, filter] = process.argv.slice(2);
  if (!file) {
    console.error('usage: node dist/bench/profile-summary.js <file.cpuprofile> [top] [filter]');
    process.exitCode = 2;
    return;
  }
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const total = profile.endTime - profile.startTime;
  const byFunction = new Map<string, number>();
  for (const [id, micros] of self) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const where = url ? `${shorten(url)}:${lineNumber + 1}` : '';
    const key = `${functionName || '(anonymous)'} ${where}`.trim();
    byFunction.set(key, (byFunction.get(key) ?? 0) + micros);
  }
  const rows = [...byFunction.entries()]
    .filter(([key]) => !filter || key.includes(filter))
    .sort((a, b) => b[1] - a[1])
    .slice(0, Number(topArg ?? 30));
  let library = 0;
  for (const [key, micros] of byFunction) if (key.includes('libs/flux/')) library += micros;
  console.log(
    `profile ${(total / 1000).toFixed(0)} ms; libs/flux self time ${((library / total) * 100).toFixed(1)}%`,
  );
  for (const [key, micros] of rows) {
    const mark = key.includes('libs/flux/') ? '*' : ' ';
    console.log(
      `${mark} ${((micros / total) * 100).toFixed(2).padStart(6)}%  ${(micros / 1000).toFixed(0).padStart(6)} ms  ${key}`,
    );
  }
}

function shorten(url: string): string {
  const path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('node_modules/');
  if (nm >= 0) return path.slice(nm + 'node_modules/'.length);
  const dist = path.indexOf('/dist/');
  return dist >= 0 ? path.slice(dist + 1) : path;
}

main();
