// Diagnostic, not part of `npm run bench`: how much of a pipeline's garbage V8 promotes to the
// old generation, in an app that never calls gc() between phases. The CPU suite calls gc()
// before every run (bench/lib/run-pipeline.mjs), which resets the heap between pipelines; this
// does not. Each process runs plain, then the pipeline under test, then plain again, then it
// three times, without a gc() in between, under `--trace-gc-nvp`, and sums what V8's young GCs
// promoted during each run of the pipeline under test. Spans that die young are never promoted
// (plain: well under 1 MB per 20,000 spans); a pipeline whose spans are all promoted shows
// about 2 KB a span here, 4-5 times plain's young-GC time, and major GCs.
// V8's choices (allocation-site pretenuring above all) differ from process to process, so it
// runs several processes.
// Usage: node bench/promotion.mjs [pipeline] [processes]   (after building core)
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SPANS = 20_000;

if (process.env.PROMOTION_CHILD) {
  const { startChild } = await import('./lib/child.mjs');
  const { runPipeline } = await import('./lib/run-pipeline.mjs');
  const kind = process.env.PROMOTION_CHILD;
  const sink = await startChild('lib/sink-child.mjs', ['ok']);
  const sequence = [
    ['plain', 8000],
    [kind, 8000],
    ['plain', SPANS],
    [kind, SPANS],
    [kind, SPANS],
    [kind, SPANS],
  ];
  for (const [name, spans] of sequence) {
    // No gc() here: what the earlier runs left in the heap is part of the experiment.
    console.log(`@@begin ${name}`);
    const run = await runPipeline(name, sink, { spans, rate: 10_000 });
    console.log(`@@end ${name} ${run.cpuUsPerSpan.toFixed(1)}`);
  }
  await sink.close();
  process.exit(0);
}

const kind = process.argv[2] ?? 'galileo';
const processes = Number(process.argv[3] ?? 6);
const self = fileURLToPath(import.meta.url);

/** One child process: per measured run of `kind`, µs per span and what young GCs promoted. */
function runChild() {
  return new Promise((resolve, reject) => {
    const child = fork(self, [], {
      execArgv: ['--trace-gc-nvp'],
      env: { ...process.env, PROMOTION_CHILD: kind },
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    });
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`child exited with ${code}`));
      const runs = [];
      let current;
      let seen = 0;
      for (const line of out.split('\n')) {
        if (line.startsWith('@@begin ')) {
          seen++;
          current = seen > 3 ? { promoted: 0, scavengeMs: 0, majors: 0 } : undefined;
        } else if (line.startsWith('@@end ') && current) {
          current.us = Number(line.split(' ')[2]);
          runs.push(current);
          current = undefined;
        } else if (current && line.includes('gc=')) {
          const field = (name) => Number(new RegExp(`\\b${name}=([\\d.]+)`).exec(line)?.[1] ?? 0);
          if (/\bgc=s\b/.test(line)) {
            current.promoted += field('promoted');
            current.scavengeMs += field('pause');
          } else current.majors++;
        }
      }
      resolve(runs);
    });
  });
}

console.log(
  `${kind}: ${processes} processes, 3 runs of ${SPANS} spans each after plain, no gc() in between`,
);
for (let p = 0; p < processes; p++) {
  const runs = await runChild();
  console.log(
    `process ${p + 1}:`,
    runs
      .map(
        (r) =>
          `${r.us} µs, promoted ${((r.promoted / SPANS) | 0).toString().padStart(4)} B/span, young GC ${r.scavengeMs.toFixed(0)} ms, ${r.majors} major`,
      )
      .join(' | '),
  );
}
