// The performer fields compared between a stash-box and the user's Stash, each as a list of strings (a plain
// field holds none or one), so comparing, storing and choosing work the same way for every field.
import { SenseError } from '../errors.js';
import type { GenderEnum, PerformerUpdateInput, StashPerformerSyncFieldsFragment } from '../stash/index.js';
import type { StashBoxPerformerFieldsFragment } from './generated/graphql.js';

export const PERFORMER_FIELDS = [
  'name',
  'disambiguation',
  'aliases',
  'gender',
  'birthdate',
  'death_date',
  'ethnicity',
  'country',
  'eye_color',
  'hair_color',
  'height',
  'measurements',
  'breast_type',
  'career_length',
  'tattoos',
  'piercings',
  'urls',
] as const;

export type PerformerField = (typeof PERFORMER_FIELDS)[number];
export type FieldValues = Record<PerformerField, string[]>;

/** Fields whose value is a set of entries rather than one value. */
export const LIST_FIELDS: ReadonlySet<PerformerField> = new Set<PerformerField>(['aliases', 'urls']);

export const FIELD_LABELS: Record<PerformerField, string> = {
  name: 'Name',
  disambiguation: 'Disambiguation',
  aliases: 'Aliases',
  gender: 'Gender',
  birthdate: 'Birthdate',
  death_date: 'Death date',
  ethnicity: 'Ethnicity',
  country: 'Country',
  eye_color: 'Eye colour',
  hair_color: 'Hair colour',
  height: 'Height (cm)',
  measurements: 'Measurements',
  breast_type: 'Breast type',
  career_length: 'Career',
  tattoos: 'Tattoos',
  piercings: 'Piercings',
  urls: 'URLs',
};

const GENDERS: readonly GenderEnum[] = ['MALE', 'FEMALE', 'TRANSGENDER_MALE', 'TRANSGENDER_FEMALE', 'INTERSEX', 'NON_BINARY'];

/** A stash-box performer as the sidecar uses it. */
export interface StashBoxPerformer {
  endpoint: string;
  id: string;
  name: string;
  /** stash-box's `updated` time (ISO). */
  updated: string;
  deleted: boolean;
  mergedIntoId: string | null;
  /** The first (largest listed) image; Stash downloads it when the performer is created. */
  imageUrl: string | null;
  values: FieldValues;
}

/** stash-box's answer in Stash's terms, as Stash's own stash-box scraper writes them (enums in Title Case). */
export function toStashBoxPerformer(endpoint: string, performer: StashBoxPerformerFieldsFragment): StashBoxPerformer {
  const one = (value: string | number | null | undefined): string[] => (value === null || value === undefined || String(value).trim() === '' ? [] : [String(value).trim()]);
  const bust = `${performer.band_size ?? ''}${performer.cup_size ?? ''}`;
  const measurements = [bust, performer.waist_size ?? '', performer.hip_size ?? ''].map(String).join('-').replace(/-+$/, '');
  const career = performer.career_start_year || performer.career_end_year ? `${performer.career_start_year ?? ''}-${performer.career_end_year ?? ''}` : '';
  const modifications = (list: readonly { location: string; description?: string | null }[] | null | undefined) =>
    one((list ?? []).map((m) => (m.description ? `${m.location}: ${m.description}` : m.location)).join('; '));
  const largest = [...performer.images].sort((a, b) => b.width * b.height - a.width * a.height)[0];
  return {
    endpoint,
    id: performer.id,
    name: performer.name,
    updated: performer.updated,
    deleted: performer.deleted,
    mergedIntoId: performer.merged_into_id ?? null,
    imageUrl: largest?.url ?? null,
    values: {
      name: one(performer.name),
      disambiguation: one(performer.disambiguation),
      aliases: uniqueList(performer.aliases),
      gender: one(performer.gender),
      birthdate: one(performer.birth_date),
      death_date: one(performer.death_date),
      ethnicity: one(titleCase(performer.ethnicity)),
      country: one(performer.country),
      eye_color: one(titleCase(performer.eye_color)),
      hair_color: one(titleCase(performer.hair_color)),
      height: one(performer.height),
      measurements: one(measurements),
      breast_type: one(titleCase(performer.breast_type)),
      career_length: one(career),
      tattoos: modifications(performer.tattoos),
      piercings: modifications(performer.piercings),
      urls: uniqueList(performer.urls.map((u) => u.url)),
    },
  };
}

/** The user's Stash performer in the same terms. */
export function localFieldValues(performer: StashPerformerSyncFieldsFragment): FieldValues {
  const one = (value: string | number | null | undefined): string[] => (value === null || value === undefined || String(value).trim() === '' ? [] : [String(value).trim()]);
  return {
    name: one(performer.name),
    disambiguation: one(performer.disambiguation),
    aliases: uniqueList(performer.alias_list),
    gender: one(performer.gender),
    birthdate: one(performer.birthdate),
    death_date: one(performer.death_date),
    ethnicity: one(performer.ethnicity),
    country: one(performer.country),
    eye_color: one(performer.eye_color),
    hair_color: one(performer.hair_color),
    height: one(performer.height_cm),
    measurements: one(performer.measurements),
    breast_type: one(performer.fake_tits),
    career_length: one(performer.career_length),
    tattoos: one(performer.tattoos),
    piercings: one(performer.piercings),
    urls: uniqueList(performer.urls ?? []),
  };
}

/**
 * Whether two values mean the same: case and spacing never matter, lists compare as sets, and measurements
 * ignore spaces ("34C - 24 - 35" is "34c-24-35").
 */
export function sameValue(field: PerformerField, a: readonly string[], b: readonly string[]): boolean {
  const normal = (value: string) => {
    const text = value.trim().replace(/\s+/g, ' ').toLowerCase();
    return field === 'measurements' ? text.replace(/\s/g, '') : text;
  };
  const left = new Set(a.map(normal).filter(Boolean));
  const right = new Set(b.map(normal).filter(Boolean));
  return left.size === right.size && [...left].every((value) => right.has(value));
}

/**
 * The Stash input for the given field values (only those fields; an empty value clears the field). Refuses a
 * value Stash would not take, naming the field.
 */
export function toStashPerformerInput(values: Partial<FieldValues>): Omit<PerformerUpdateInput, 'id'> {
  const input: Omit<PerformerUpdateInput, 'id'> = {};
  for (const [field, value] of Object.entries(values) as [PerformerField, string[]][]) {
    const cleaned = value.map((v) => v.trim()).filter(Boolean);
    if (!LIST_FIELDS.has(field) && cleaned.length > 1) throw new SenseError('BAD_INPUT', `${FIELD_LABELS[field]} takes one value, not ${cleaned.length}`);
    const text = cleaned[0] ?? '';
    switch (field) {
      case 'name':
        if (!text) throw new SenseError('BAD_INPUT', 'A performer needs a name');
        input.name = text;
        break;
      case 'aliases':
        input.alias_list = uniqueList(cleaned);
        break;
      case 'urls':
        input.urls = uniqueList(cleaned);
        break;
      case 'gender': {
        const gender = text.toUpperCase().replace(/[\s-]+/g, '_');
        if (text && !(GENDERS as readonly string[]).includes(gender)) throw new SenseError('BAD_INPUT', `Gender must be one of ${GENDERS.join(', ')} (got "${text}")`);
        input.gender = text ? (gender as GenderEnum) : null;
        break;
      }
      case 'height': {
        const height = Number(text);
        if (text && !(Number.isInteger(height) && height > 0 && height < 300)) throw new SenseError('BAD_INPUT', `Height must be a whole number of centimetres (got "${text}")`);
        input.height_cm = text ? height : null;
        break;
      }
      case 'breast_type':
        input.fake_tits = text;
        break;
      default:
        input[field] = text;
    }
  }
  return input;
}

/** The first spelling of each entry, ignoring case; empty entries dropped. */
export function uniqueList(values: readonly string[]): string[] {
  const seen = new Set<string>();
  const list: string[] = [];
  for (const value of values) {
    const trimmed = value.trim();
    const key = trimmed.toLowerCase();
    if (!trimmed || seen.has(key)) continue;
    seen.add(key);
    list.push(trimmed);
  }
  return list;
}

function titleCase(value: string | null | undefined): string | null {
  if (!value) return null;
  if (value === 'NA') return 'NA';
  return value
    .toLowerCase()
    .split('_')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join(' ');
}
