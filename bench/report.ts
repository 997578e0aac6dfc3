export type BenchValue = string | number | boolean | null;
export type BenchRow = Record<string, BenchValue>;

/** One benchmark's result: a titled table, plus anything else worth keeping in the JSON. */
export interface BenchSection {
  name: string;
  rows: BenchRow[];
  notes?: string[];
  details?: Record<string, unknown>;
}

export interface Benchmark {
  name: string;
  /** One table, or several for a benchmark with parts. */
  run(): Promise<BenchSection | BenchSection[]>;
}

export function formatTable(section: BenchSection): string {
  const columns = [...new Set(section.rows.flatMap((row) => Object.keys(row)))];
  const cells = section.rows.map((row) => columns.map((column) => formatValue(row[column] ?? '')));
  const widths = columns.map((column, i) => Math.max(column.length, ...cells.map((line) => line[i]!.length)));
  const line = (values: string[]) => `| ${values.map((value, i) => value.padEnd(widths[i]!)).join(' | ')} |`;
  return [
    `## ${section.name}`,
    line(columns),
    `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`,
    ...cells.map(line),
    ...(section.notes ?? []).map((note) => `- ${note}`),
  ].join('\n');
}

function formatValue(value: BenchValue): string {
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : value.toFixed(value < 10 ? 3 : 1);
  return String(value);
}
