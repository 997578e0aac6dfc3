export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  child(scope: string): Logger;
}

export interface LogLine {
  level: LogLevel;
  scope: string;
  message: string;
  fields: LogFields;
}

const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type LogSink = (line: LogLine) => void;

/** One line per event: `2026-11-24T21:00:00.000Z INFO  [vision] faces detected count=2 ms=41`. */
export function createLogger(options: { level?: LogLevel; sink?: LogSink; scope?: string } = {}): Logger {
  const minimum = rank[options.level ?? 'info'];
  const sink = options.sink ?? writeToStderr;
  const make = (scope: string): Logger => {
    const emit = (level: LogLevel) => (message: string, fields: LogFields = {}) => {
      if (rank[level] >= minimum) sink({ level, scope, message, fields });
    };
    return {
      debug: emit('debug'),
      info: emit('info'),
      warn: emit('warn'),
      error: emit('error'),
      child: (name) => make(scope ? `${scope}.${name}` : name),
    };
  };
  return make(options.scope ?? '');
}

/** A logger that keeps its lines, for tests that assert on what was logged. */
export function createRecordingLogger(): Logger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  return Object.assign(createLogger({ level: 'debug', sink: (line) => lines.push(line) }), { lines });
}

export const silentLogger: Logger = createLogger({ sink: () => {} });

export function formatLogLine(line: LogLine, now = new Date()): string {
  const fields = Object.entries(line.fields)
    .map(([key, value]) => `${key}=${formatValue(value)}`)
    .join(' ');
  const scope = line.scope ? `[${line.scope}] ` : '';
  return `${now.toISOString()} ${line.level.toUpperCase().padEnd(5)} ${scope}${line.message}${fields ? ` ${fields}` : ''}`;
}

function formatValue(value: unknown): string {
  if (value instanceof Error) return JSON.stringify(value.message);
  if (typeof value === 'string') return /[\s"=]/.test(value) ? JSON.stringify(value) : value;
  return JSON.stringify(value) ?? String(value);
}

function writeToStderr(line: LogLine): void {
  process.stderr.write(`${formatLogLine(line)}\n`);
}
