import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { openApp } from '../../app.js';
import { SenseError, errorMessage, isSenseError } from '../../errors.js';
import type { IdentifiedFace } from '../../identify/index.js';
import type { Command } from '../command.js';

const help = `Usage: stash-sense identify FILE... [--json] [--top-k N] [--threshold T] [--data-dir DIR]

Finds every face in each file and the enrolled performers it may be.
  --json         print one JSON array: [{file, faces: [{box, score, candidates: [...]}]}]
  --top-k N      candidates per face (default MATCH_TOP_K, 5)
  --threshold T  a fixed largest cosine distance called a match (default: MATCH_MAX_DISTANCE if set,
                 else a face is named from calibrated confidence 0.6)
`;

export interface FileResult {
  file: string;
  faces?: { box: IdentifiedFace['box']; score: number; candidates: { performerId: string; name: string; stashIds: { endpoint: string; stashId: string }[]; distance: number; confidence: number }[] }[];
  error?: string;
}

export const identify: Command = async ({ args, config, logger, stdout, signal, checkDataDir }) => {
  const { values, positionals } = parseArgs({
    args,
    options: { json: { type: 'boolean' }, 'top-k': { type: 'string' }, threshold: { type: 'string' }, 'data-dir': { type: 'string' }, help: { type: 'boolean' } },
    allowPositionals: true,
  });
  if (values.help) {
    stdout.write(help);
    return;
  }
  if (positionals.length === 0) throw new SenseError('BAD_INPUT', `identify needs at least one file\n\n${help}`);
  const topK = values['top-k'] === undefined ? undefined : parseNumber('--top-k', values['top-k'], 1, 100, true);
  const maxDistance = values.threshold === undefined ? undefined : parseNumber('--threshold', values.threshold, 0, 2, false);

  await checkDataDir();
  const app = await openApp(config, logger);
  const results: FileResult[] = [];
  try {
    for (const file of positionals) {
      if (signal.aborted) break;
      try {
        const bytes = await readFile(file).catch((error: unknown) => {
          throw new SenseError('BAD_INPUT', `cannot read ${file}: ${errorMessage(error)}`);
        });
        const result = await app.services.identify.identifyImage({ kind: 'bytes', bytes, name: file }, { topK, maxDistance });
        results.push({
          file,
          faces: result.faces.map((face) => ({
            box: face.box,
            score: face.score,
            candidates: face.candidates.map(({ performerId, name, stashIds, distance, confidence }) => ({ performerId, name, stashIds, distance, confidence })),
          })),
        });
      } catch (error: unknown) {
        if (!isSenseError(error)) throw error;
        results.push({ file, error: error.message });
      }
    }
  } finally {
    await app.close();
  }
  stdout.write(values.json ? `${JSON.stringify(results, null, 2)}\n` : formatText(results));
  const failed = results.filter((result) => result.error !== undefined).length;
  if (failed > 0) throw new SenseError('BAD_INPUT', `${failed} of ${positionals.length} file(s) could not be identified`);
};

function formatText(results: FileResult[]): string {
  const lines: string[] = [];
  for (const result of results) {
    if (result.error !== undefined) {
      lines.push(`${result.file}: error: ${result.error}`);
      continue;
    }
    const faces = result.faces ?? [];
    lines.push(`${result.file}: ${faces.length} face(s)`);
    faces.forEach((face, i) => {
      const where = `${face.box.width}×${face.box.height} at ${face.box.x},${face.box.y}`;
      const best = face.candidates[0];
      lines.push(`  face ${i + 1} (${where}, score ${face.score.toFixed(2)}): ${best ? '' : 'unknown'}`);
      for (const candidate of face.candidates) {
        lines.push(`    ${candidate.name} (id ${candidate.performerId}) distance ${candidate.distance.toFixed(3)} confidence ${candidate.confidence.toFixed(2)}`);
      }
    });
  }
  return `${lines.join('\n')}\n`;
}

function parseNumber(flag: string, value: string, min: number, max: number, integer: boolean): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number < min || number > max || (integer && !Number.isInteger(number))) {
    throw new SenseError('BAD_INPUT', `${flag} must be ${integer ? 'a whole number' : 'a number'} from ${min} to ${max} (got "${value}")`);
  }
  return number;
}
