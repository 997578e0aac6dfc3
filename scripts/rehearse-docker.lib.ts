// What the Docker rehearsal and the deployment tests share: the Dockerfile read into stages, and the
// build context assembled from .dockerignore the way `docker build` assembles it.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Ignore } from '@balena/dockerignore';
import { DockerfileParser, type Instruction } from 'dockerfile-ast';

// The package is CommonJS (`module.exports = factory`) while its types declare a default export.
const ignore = createRequire(import.meta.url)('@balena/dockerignore') as () => Ignore;

export interface Dockerfile {
  /** ARGs declared before the first FROM, usable in FROM lines. */
  globalArgs: Map<string, string>;
  stages: Stage[];
}

export interface Stage {
  name: string | null;
  /** The FROM image as written (may hold ${ARG}s) or a previous stage's name. */
  base: string;
  steps: Step[];
}

export type Step =
  | { kind: 'WORKDIR'; line: number; path: string }
  | { kind: 'ENV'; line: number; values: [string, string][] }
  | { kind: 'ARG'; line: number; name: string; value: string | null }
  | { kind: 'COPY'; line: number; from: string | null; sources: string[]; dest: string; heredoc: string | null; flags: Map<string, string> }
  | { kind: 'RUN'; line: number; command: string; flags: Map<string, string> }
  | { kind: 'EXPOSE'; line: number; ports: string[] }
  | { kind: 'HEALTHCHECK'; line: number; command: string | null; options: Map<string, string> }
  | { kind: 'ENTRYPOINT'; line: number; exec: string[] | null; shell: string | null }
  | { kind: 'CMD'; line: number; exec: string[] | null; shell: string | null }
  | { kind: 'USER' | 'LABEL' | 'VOLUME' | 'STOPSIGNAL' | 'SHELL' | 'ADD' | 'ONBUILD'; line: number; text: string };

export function parseDockerfile(text: string): Dockerfile {
  const lines = text.split('\n');
  const document = DockerfileParser.parse(text);
  const globalArgs = new Map<string, string>();
  const stages: Stage[] = [];
  for (const instruction of document.getInstructions()) {
    const keyword = instruction.getKeyword();
    const line = instruction.getRange().start.line + 1;
    const args = instruction.getArguments().map((argument) => argument.getValue());
    const current = stages.at(-1);
    if (keyword === 'FROM') {
      const asIndex = args.findIndex((arg) => arg.toUpperCase() === 'AS');
      stages.push({ base: args[0] ?? '', name: asIndex >= 0 ? (args[asIndex + 1] ?? null) : null, steps: [] });
      continue;
    }
    if (!current) {
      if (keyword !== 'ARG') throw new Error(`Dockerfile line ${line}: ${keyword} before the first FROM`);
      const [name, value] = splitAssignment(args[0] ?? '');
      globalArgs.set(name, value ?? '');
      continue;
    }
    current.steps.push(toStep(instruction, keyword, line, args, lines));
  }
  return { globalArgs, stages };
}

/** The stage with this name; throws when the Dockerfile lacks it. */
export function findStage(dockerfile: Dockerfile, name: string): Stage {
  const stage = dockerfile.stages.find((candidate) => candidate.name === name);
  if (!stage) throw new Error(`The Dockerfile has no stage named "${name}"`);
  return stage;
}

export interface BuildContext {
  /** Files that reach the context, relative to its root, '/'-separated. */
  files: string[];
  /** Whether a path (file or folder) reaches the context. */
  includes(path: string): boolean;
}

/**
 * The files `docker build` sends for `root` with the given .dockerignore text. Folders that are ignored
 * with no `!` exception are not walked, as Docker does not walk them.
 */
export function assembleContext(root: string, dockerignore: string): BuildContext {
  const rules = dockerignore.split('\n').map((rule) => rule.trim()).filter((rule) => rule !== '' && !rule.startsWith('#'));
  const matcher = ignore().add(rules);
  const hasExceptions = rules.some((rule) => rule.startsWith('!'));
  const files: string[] = [];
  const walk = (relative: string): void => {
    for (const entry of readdirSync(join(root, relative), { withFileTypes: true })) {
      const path = relative === '' ? entry.name : `${relative}/${entry.name}`;
      const ignored = matcher.ignores(path);
      if (entry.isDirectory()) {
        if (!ignored || hasExceptions) walk(path);
      } else if (!ignored) {
        files.push(path);
      }
    }
  };
  walk('');
  files.sort();
  const fileSet = new Set(files);
  return {
    files,
    includes: (path) => {
      const clean = path.replace(/^\.\/+/, '').replace(/\/+$/, '');
      if (clean === '' || clean === '.') return true;
      return fileSet.has(clean) || files.some((file) => file.startsWith(`${clean}/`));
    },
  };
}

export function readContext(root: string): BuildContext {
  return assembleContext(root, readFileSync(join(root, '.dockerignore'), 'utf8'));
}

function toStep(instruction: Instruction, keyword: string, line: number, args: string[], lines: string[]): Step {
  const flags = flagsOf(instruction);
  switch (keyword) {
    case 'WORKDIR':
      return { kind: 'WORKDIR', line, path: args.join(' ') };
    case 'ENV':
      return { kind: 'ENV', line, values: envPairs(instruction) };
    case 'ARG': {
      const [name, value] = splitAssignment(args[0] ?? '');
      return { kind: 'ARG', line, name, value };
    }
    case 'COPY': {
      const heredoc = heredocContent(instruction, lines);
      const paths = heredoc === null ? args : args.filter((arg) => !arg.startsWith('<<')).slice(0, 1);
      return {
        kind: 'COPY',
        line,
        from: flags.get('from') ?? null,
        sources: heredoc === null ? paths.slice(0, -1) : [],
        dest: paths.at(-1) ?? '',
        heredoc,
        flags,
      };
    }
    case 'RUN':
      return { kind: 'RUN', line, command: heredocContent(instruction, lines) ?? shellText(instruction, lines), flags };
    case 'EXPOSE':
      return { kind: 'EXPOSE', line, ports: args };
    case 'HEALTHCHECK': {
      const options = flags;
      const cmdIndex = args.findIndex((arg) => arg.toUpperCase() === 'CMD');
      return { kind: 'HEALTHCHECK', line, options, command: cmdIndex >= 0 ? shellText(instruction, lines, cmdIndex + 1) : null };
    }
    case 'ENTRYPOINT':
    case 'CMD': {
      const text = shellText(instruction, lines);
      const exec = text.trim().startsWith('[') ? (JSON.parse(text) as string[]) : null;
      return { kind: keyword, line, exec, shell: exec ? null : text };
    }
    case 'USER':
    case 'LABEL':
    case 'VOLUME':
    case 'STOPSIGNAL':
    case 'SHELL':
    case 'ADD':
    case 'ONBUILD':
      return { kind: keyword, line, text: shellText(instruction, lines) };
    default:
      throw new Error(`Dockerfile line ${line}: ${keyword} is not an instruction this rehearsal knows`);
  }
}

function flagsOf(instruction: Instruction): Map<string, string> {
  // Only instructions that take flags (COPY, RUN, HEALTHCHECK, FROM, ADD) have getFlags().
  const flagged = instruction as unknown as { getFlags?: () => { getName(): string; getValue(): string | null }[] };
  return new Map((flagged.getFlags?.() ?? []).map((flag) => [flag.getName(), flag.getValue() ?? '']));
}

function envPairs(instruction: Instruction): [string, string][] {
  const properties = (instruction as unknown as { getProperties(): { getName(): string; getValue(): string | null }[] }).getProperties();
  return properties.map((property) => [property.getName(), unquote(property.getValue() ?? '')]);
}

/** An instruction's text from its `fromArgument`-th argument on, continuation lines joined as Docker joins them. */
function shellText(instruction: Instruction, lines: string[], fromArgument = 0): string {
  const first = instruction.getArguments()[fromArgument];
  if (!first) return '';
  const start = first.getRange().start;
  const end = instruction.getRange().end;
  const parts: string[] = [];
  for (let index = start.line; index <= end.line; index++) {
    const raw = lines[index] ?? '';
    let text = index === start.line ? raw.slice(start.character) : raw;
    if (index === end.line) text = text.slice(0, index === start.line ? end.character - start.character : end.character);
    if (index !== start.line && text.trimStart().startsWith('#')) continue;
    parts.push(text.replace(/\\\s*$/, ''));
  }
  return parts.join(' ').replace(/\s+/g, ' ').trim();
}

function heredocContent(instruction: Instruction, lines: string[]): string | null {
  const withHeredocs = instruction as unknown as { getHeredocs?: () => { getContentRange(): { start: { line: number }; end: { line: number } } | null }[] };
  const [heredoc] = withHeredocs.getHeredocs?.() ?? [];
  if (!heredoc) return null;
  const range = heredoc.getContentRange();
  return range ? `${lines.slice(range.start.line, range.end.line + 1).join('\n')}\n` : '';
}

function splitAssignment(text: string): [string, string | null] {
  const equals = text.indexOf('=');
  return equals < 0 ? [text, null] : [text.slice(0, equals), unquote(text.slice(equals + 1))];
}

function unquote(value: string): string {
  return /^(["']).*\1$/s.test(value) ? value.slice(1, -1) : value;
}
