import {
  type AdapterLogger,
  adapterPackage,
  asString,
  createAdapterLogger,
  DEFAULT_MAX_OPEN_RUNS,
  isRecord,
  RunRegistry,
  runClock,
} from '@galileo-otel/core/adapter';
import { context } from '@opentelemetry/api';
import type { ClaudeAgentSdkOptions } from '../claude-agent-sdk-options.js';
import { ClaudeRun } from './claude-run.js';
import type { Dict, HookCallback, HookMatcher, QueryFunction, QueryLike } from './sdk-shapes.js';
import { withToolContexts } from './tool-context.js';
import { tracedQuery } from './traced-query.js';

const PACKAGE = adapterPackage(import.meta.url);
/** The hook events the adapter listens to (it only observes: every callback returns `{}`). */
const HOOKS = [
  'UserPromptSubmit',
  'PreToolUse',
  'PostToolUse',
  'PostToolUseFailure',
  'SubagentStart',
  'SubagentStop',
] as const;

/** The CLI's own OpenTelemetry traces are on when all of these are (CLI 2.1). */
function cliTracesOn(env: Dict): boolean {
  const on = (key: string) => /^(1|true|yes|on)$/i.test(asString(env[key]) ?? '');
  const exporters = (asString(env.OTEL_TRACES_EXPORTER) ?? '').split(',').map((e) => e.trim());
  return (
    on('CLAUDE_CODE_ENABLE_TELEMETRY') &&
    on('CLAUDE_CODE_ENHANCED_TELEMETRY_BETA') &&
    exporters.some((e) => e !== '' && e !== 'none')
  );
}

/**
 * What traces `query()` calls for one adapter: its options, logger and open runs. The run
 * state lives in each {@link ClaudeRun}; this holds the registry that bounds them.
 */
export class RunTracer {
  readonly log: AdapterLogger;
  readonly #options: ClaudeAgentSdkOptions;
  readonly #runs: RunRegistry<number, ClaudeRun>;
  #next = 0;

  /** @throws {RangeError} when `maxOpenRuns` is not a whole number of at least 1. */
  constructor(options: ClaudeAgentSdkOptions, log: AdapterLogger) {
    this.#options = options;
    this.log = log;
    const maxOpenRuns = options.maxOpenRuns ?? DEFAULT_MAX_OPEN_RUNS;
    this.#runs = new RunRegistry<number, ClaudeRun>({
      maxOpenRuns,
      abandon: (run, reason) => {
        if (reason === 'evicted') {
          log.warnOnce(
            'evicted',
            `more than ${maxOpenRuns} queries open (maxOpenRuns): ending the oldest early, marked galileo.incomplete`,
          );
        }
        run.finish({ kind: 'abandoned', reason });
      },
    });
  }

  /** Queries being traced right now. */
  get openRuns(): number {
    return this.#runs.size;
  }

  /** Ends every open run (marked `galileo.incomplete`, reason `shutdown`). */
  giveUpAll(): void {
    this.#runs.giveUpAll('shutdown');
  }

  /**
   * Runs `query(params)` traced: an `invoke_agent` span in the active context, the adapter's
   * observing hooks added to the query's own, and the returned `Query` mirrored. With no
   * recording tracer (nothing registered) the query runs exactly as written.
   */
  trace(query: QueryFunction, params: unknown, agentName: string | undefined): QueryLike {
    const run = this.log.guard('start', () => this.#start(params, agentName));
    if (!run) return query(params as Parameters<QueryFunction>[0]);
    const { claudeRun, options, hidePartial, key } = run;
    let q: QueryLike;
    try {
      q = context.with(claudeRun.context, () =>
        query({ ...(params as Dict), prompt: (params as Dict).prompt, options }),
      );
    } catch (error) {
      this.log.guard('finish', () => claudeRun.finish({ kind: 'threw', error }));
      this.#runs.delete(key);
      throw error;
    }
    return tracedQuery(q, claudeRun, hidePartial, this.log);
  }

  #start(params: unknown, agentName: string | undefined) {
    const given = isRecord(params) && isRecord(params.options) ? params.options : {};
    const parent = context.active();
    const tracer = PACKAGE.tracer(this.#options.tracerProvider);
    const key = this.#next++;
    const prompt = isRecord(params) ? asString(params.prompt) : undefined;
    const claudeRun = new ClaudeRun(
      {
        tracer,
        now: runClock(),
        captureContent: this.#options.captureContent !== false,
        agentName: asString(given.agent) ?? agentName ?? this.#options.agentName ?? 'claude',
        model: asString(given.model),
        prompt,
        onEnd: () => {
          if (this.#runs.get(key) === claudeRun) this.#runs.delete(key);
        },
      },
      parent,
    );
    if (!claudeRun.recording) {
      claudeRun.finish({ kind: 'done' });
      return undefined;
    }
    this.#runs.set(key, claudeRun);
    const hidePartial = given.includePartialMessages !== true;
    const options: Dict = {
      ...given,
      hooks: this.#hooks(given.hooks, claudeRun),
      // Stream events carry each model call's final output tokens and stop reason; the app
      // does not see them unless it asked for them itself.
      includePartialMessages: true,
      mcpServers: withToolContexts(given.mcpServers, (id) => claudeRun.toolContext(id)),
    };
    if (given.mcpServers === undefined) delete options.mcpServers;
    const env = this.#env(given.env);
    if (env) options.env = env;
    return { claudeRun, options, hidePartial, key };
  }

  /** The query's hooks plus one observing matcher per event the adapter reads. */
  #hooks(given: unknown, run: ClaudeRun): Dict {
    const hooks: Dict = isRecord(given) ? { ...given } : {};
    const observe: HookCallback = async (input) => {
      this.log.guard('hook', () => run.onHook(input));
      return {};
    };
    for (const event of HOOKS) {
      const existing = Array.isArray(hooks[event]) ? (hooks[event] as HookMatcher[]) : [];
      hooks[event] = [...existing, { hooks: [observe] } satisfies HookMatcher];
    }
    return hooks;
  }

  /**
   * The CLI's environment with its own trace export turned off when its beta tracing is on:
   * the adapter already makes one span per model call and per tool, so the CLI's would be a
   * second copy of each in the same trace (the SDK hands the CLI the run's `traceparent`).
   * Its logs and metrics are left as they are. `undefined` = leave the environment alone.
   */
  #env(given: unknown): Dict | undefined {
    const env: Dict = isRecord(given) ? given : process.env;
    if (!cliTracesOn(env)) return undefined;
    this.log.warnOnce(
      'cli-traces',
      "the Claude Code CLI's beta tracing is on (CLAUDE_CODE_ENHANCED_TELEMETRY_BETA): its trace export is turned off for traced queries (OTEL_TRACES_EXPORTER=none), because the adapter's spans already cover every model call and tool; its logs and metrics are unchanged",
    );
    return { ...env, OTEL_TRACES_EXPORTER: 'none' };
  }
}

/** The adapter a wrapped `query` reports to: the last one installed, else a default one. */
let installed: RunTracer | undefined;
let fallback: RunTracer | undefined;

/** Makes `tracer` the one every wrapped `query` uses (called from the adapter's `install`). */
export function useTracer(tracer: RunTracer): void {
  installed = tracer;
}

/** Forgets `tracer` if it is the installed one (called from the adapter's `shutdown`). */
export function dropTracer(tracer: RunTracer): void {
  if (installed === tracer) installed = undefined;
}

/** The installed adapter's tracer, or one with default options on the global provider. */
export function currentTracer(): RunTracer {
  if (installed) return installed;
  fallback ??= new RunTracer({}, createAdapterLogger('claude-agent-sdk'));
  return fallback;
}
