import { now, type DoubleContext, type Resolver } from './context.js';
import { performerFieldNames, performerRecord, stashIdRecord, tagRecord, type PerformerFieldsRecord, type PerformerRecord, type SceneRecord, type StashIdRecord, type StashStore } from './fixtures.js';

type BulkIds = { ids?: string[] | null; mode: 'SET' | 'ADD' | 'REMOVE' } | null | undefined;
type Input = Record<string, unknown>;

/**
 * The mutations the sidecar sends, applied to the double's state with Stash's semantics. Every call is recorded
 * (by the wrapper in stash-double.ts) before it runs, including those that fail.
 */
export const mutationResolvers: Record<string, Resolver> = {
  bulkSceneUpdate: (_root, { input }: { input: Input }, { store }: DoubleContext) => {
    const { ids, performer_ids: performers, tag_ids: tags, gallery_ids: galleries, organized, title, ...rest } = input;
    refuseUnknownFields('BulkSceneUpdateInput', rest);
    return targets(store.scenes, ids, 'scene').map((scene) => {
      scene.performerIds = applyIds(scene.performerIds, performers as BulkIds, store.performers, 'performer');
      scene.tagIds = applyIds(scene.tagIds, tags as BulkIds, store.tags, 'tag');
      scene.galleryIds = applyIds(scene.galleryIds, galleries as BulkIds, store.galleries, 'gallery');
      if (typeof organized === 'boolean') scene.organized = organized;
      if (typeof title === 'string') scene.title = title;
      scene.updated_at = now();
      return scene;
    });
  },
  bulkImageUpdate: (_root, { input }: { input: Input }, { store }: DoubleContext) => {
    const { ids, performer_ids: performers, tag_ids: tags, gallery_ids: galleries, organized, ...rest } = input;
    refuseUnknownFields('BulkImageUpdateInput', rest);
    return targets(store.images, ids, 'image').map((image) => {
      image.performerIds = applyIds(image.performerIds, performers as BulkIds, store.performers, 'performer');
      image.tagIds = applyIds(image.tagIds, tags as BulkIds, store.tags, 'tag');
      image.galleryIds = applyIds(image.galleryIds, galleries as BulkIds, store.galleries, 'gallery');
      if (typeof organized === 'boolean') image.organized = organized;
      image.updated_at = now();
      return image;
    });
  },
  bulkGalleryUpdate: (_root, { input }: { input: Input }, { store }: DoubleContext) => {
    const { ids, performer_ids: performers, tag_ids: tags, organized, ...rest } = input;
    refuseUnknownFields('BulkGalleryUpdateInput', rest);
    return targets(store.galleries, ids, 'gallery').map((gallery) => {
      gallery.performerIds = applyIds(gallery.performerIds, performers as BulkIds, store.performers, 'performer');
      gallery.tagIds = applyIds(gallery.tagIds, tags as BulkIds, store.tags, 'tag');
      if (typeof organized === 'boolean') gallery.organized = organized;
      gallery.updated_at = now();
      return gallery;
    });
  },
  sceneUpdate: (_root, { input }: { input: Input }, { store }: DoubleContext) => {
    const scene = targets(store.scenes, [input.id], 'scene')[0]!;
    updateScene(scene, input, store);
    scene.updated_at = now();
    return scene;
  },
  /**
   * Stash's merge (pkg/scene/merge.go): the sources' files move to the destination (the first becomes primary
   * if the destination had none), `values` is applied to the destination, and the source scenes are removed
   * without deleting their files.
   */
  sceneMerge: (_root, { input }: { input: Input }, { store }: DoubleContext) => {
    const { source, destination: destinationId, values, play_history: _plays, o_history: _os, ...rest } = input;
    refuseUnknownFields('SceneMergeInput', rest);
    const sourceIds = unique((source as string[]).map(String));
    if (sourceIds.includes(String(destinationId))) throw new Error('destination scene cannot be in source list');
    const destination = store.scenes.get(String(destinationId));
    if (!destination) throw new Error(`destination scene ${String(destinationId)} not found`);
    const sources = sourceIds.map((id) => store.scenes.get(id));
    if (sources.some((scene) => !scene)) throw new Error('some source scenes could not be found');
    // On a copy, so a refused `values` leaves everything as it was (Stash runs the merge in one transaction).
    const merged: SceneRecord = { ...destination, files: [...destination.files, ...sources.flatMap((scene) => scene!.files)] };
    if (values) updateScene(merged, { ...(values as Input), id: destination.id }, store);
    merged.updated_at = now();
    store.scenes.set(merged.id, merged);
    for (const id of sourceIds) store.scenes.delete(id);
    return merged;
  },
  tagCreate: (_root, { input }: { input: Input }, { store }: DoubleContext) => {
    const { name, aliases, description: _description, ignore_auto_tag: _ignore, favorite: _favorite, ...rest } = input;
    refuseUnknownFields('TagCreateInput', rest);
    const wanted = [String(name), ...((aliases as string[] | null) ?? [])].map((n) => n.toLowerCase());
    for (const tag of store.tags.values()) {
      const clash = [tag.name, ...tag.aliases].find((n) => wanted.includes(n.toLowerCase()));
      if (clash) throw new Error(`tag with name '${clash}' already exists`);
    }
    const tag = tagRecord({ id: store.nextId('tag'), name: String(name), aliases: (aliases as string[] | null) ?? [] });
    store.tags.set(tag.id, tag);
    return tag;
  },
  performerCreate: async (_root, { input }: { input: Input }, { store }: DoubleContext) => {
    const { name, disambiguation, alias_list: aliases, gender, country, stash_ids: stashIds, tag_ids: tagIds, image, ...rest } = input;
    const fields = takePerformerFields(rest);
    refuseUnknownFields('PerformerCreateInput', rest);
    for (const other of store.performers.values()) {
      if (other.name.toLowerCase() === String(name).toLowerCase() && (other.disambiguation ?? '') === ((disambiguation as string | null) ?? '')) {
        throw new Error(`performer with name '${other.name}' already exists`);
      }
    }
    // Stash downloads an http(s) image itself (pkg/utils ReadImageFromURL) and fails the create when it cannot.
    const imageBytes = typeof image === 'string' && /^https?:/.test(image) ? await downloadImage(image) : decodeDataUrl(image);
    const performer = performerRecord({
      fields,
      id: store.nextId('performer'),
      name: String(name),
      disambiguation: (disambiguation as string | null) ?? null,
      aliases: (aliases as string[] | null) ?? [],
      gender: (gender as PerformerRecord['gender']) ?? null,
      country: (country as string | null) ?? null,
      tagIds: (tagIds as string[] | null) ?? [],
      image: imageBytes,
    });
    performer.stash_ids = ((stashIds as { endpoint: string; stash_id: string }[] | null) ?? []).map((s) =>
      stashIdRecord({ endpoint: s.endpoint, stashId: s.stash_id }),
    );
    store.performers.set(performer.id, performer);
    return performer;
  },
  /** PerformerUpdateInput as Stash applies it: only the fields given change; lists given are SET. */
  performerUpdate: (_root, { input }: { input: Input }, { store }: DoubleContext) => {
    const { id, name, disambiguation, alias_list: aliases, gender, country, stash_ids: stashIds, ...rest } = input;
    const performer = store.performers.get(String(id));
    if (!performer) throw new Error(`performer with id ${String(id)} not found`);
    const fields = takePerformerFields(rest);
    refuseUnknownFields('PerformerUpdateInput', rest);
    if (typeof name === 'string') {
      for (const other of store.performers.values()) {
        if (other.id !== performer.id && other.name.toLowerCase() === name.toLowerCase() && (other.disambiguation ?? '') === ((disambiguation as string | undefined) ?? performer.disambiguation ?? '')) {
          throw new Error(`performer with name '${other.name}' already exists`);
        }
      }
      performer.name = name;
    }
    if (disambiguation !== undefined) performer.disambiguation = (disambiguation as string | null) || null;
    if (Array.isArray(aliases)) performer.alias_list = aliases.map(String);
    if (gender !== undefined) performer.gender = (gender as PerformerRecord['gender']) ?? null;
    if (country !== undefined) performer.country = (country as string | null) || null;
    if (Array.isArray(stashIds)) {
      performer.stash_ids = uniqueStashIds((stashIds as { endpoint: string; stash_id: string }[]).map((s) => stashIdRecord({ endpoint: s.endpoint, stashId: s.stash_id })));
    }
    Object.assign(performer, fields);
    performer.updated_at = now();
    return performer;
  },
  performerMerge: (_root, { input }: { input: Input }, { store }: DoubleContext) => {
    const source = (input.source as string[]).map(String);
    const destinationId = String(input.destination);
    const destination = store.performers.get(destinationId);
    if (!destination) throw new Error(`performer with id ${destinationId} not found`);
    if (source.includes(destinationId)) throw new Error('destination performer cannot be in source list');
    const sources = source.map((id) => {
      const performer = store.performers.get(id);
      if (!performer) throw new Error(`performer with id ${id} not found`);
      return performer;
    });
    for (const records of [store.scenes.values(), store.images.values(), store.galleries.values()]) {
      for (const record of records) {
        if (record.performerIds.some((id) => source.includes(id))) {
          record.performerIds = unique(record.performerIds.map((id) => (source.includes(id) ? destinationId : id)));
        }
      }
    }
    destination.stash_ids = uniqueStashIds([...destination.stash_ids, ...sources.flatMap((p) => p.stash_ids)]);
    const values = (input.values as Input | null) ?? {};
    if (typeof values.name === 'string') destination.name = values.name;
    if (Array.isArray(values.alias_list)) destination.alias_list = values.alias_list.map(String);
    destination.updated_at = now();
    for (const id of source) store.performers.delete(id);
    return destination;
  },
};

/** SceneUpdateInput as Stash applies it: lists given are SET; primary_file_id must be one of the scene's files. */
function updateScene(scene: SceneRecord, input: Input, store: StashStore): void {
  const { id: _id, primary_file_id: primaryFileId, title, date, studio_id: studioId, performer_ids: performers, tag_ids: tags, gallery_ids: galleries, stash_ids: stashIds, ...rest } = input;
  refuseUnknownFields('SceneUpdateInput', rest);
  if (primaryFileId != null) {
    const file = scene.files.find((f) => f.id === String(primaryFileId));
    if (!file) throw new Error(`file with id ${String(primaryFileId)} not associated with scene`);
    scene.files = [file, ...scene.files.filter((f) => f !== file)];
  }
  if (typeof title === 'string') scene.title = title;
  if (typeof date === 'string') scene.date = date;
  if (studioId !== undefined) scene.studioId = studioId === null ? null : String(studioId);
  if (Array.isArray(performers)) scene.performerIds = applyIds(scene.performerIds, { ids: performers.map(String), mode: 'SET' }, store.performers, 'performer');
  if (Array.isArray(tags)) scene.tagIds = applyIds(scene.tagIds, { ids: tags.map(String), mode: 'SET' }, store.tags, 'tag');
  if (Array.isArray(galleries)) scene.galleryIds = applyIds(scene.galleryIds, { ids: galleries.map(String), mode: 'SET' }, store.galleries, 'gallery');
  if (Array.isArray(stashIds)) {
    scene.stash_ids = uniqueStashIds((stashIds as { endpoint: string; stash_id: string }[]).map((s) => stashIdRecord({ endpoint: s.endpoint, stashId: s.stash_id })));
  }
}

function targets<T>(map: Map<string, T>, ids: unknown, kind: string): T[] {
  return ((ids as string[] | null) ?? []).map((id) => {
    const record = map.get(String(id));
    if (!record) throw new Error(`${kind} with id ${id} not found`);
    return record;
  });
}

/** BulkUpdateIds: SET replaces, ADD appends what is missing, REMOVE drops; an unknown id fails like Stash's foreign key. */
function applyIds(current: string[], update: BulkIds, known: Map<string, unknown>, kind: string): string[] {
  if (!update) return current;
  const ids = (update.ids ?? []).map(String);
  for (const id of ids) {
    if (!known.has(id)) throw new Error(`${kind} with id ${id} not found`);
  }
  switch (update.mode) {
    case 'SET':
      return unique(ids);
    case 'ADD':
      return unique([...current, ...ids]);
    case 'REMOVE':
      return current.filter((id) => !ids.includes(id));
  }
}

function refuseUnknownFields(inputType: string, rest: Input): void {
  const given = Object.entries(rest).filter(([key, value]) => value !== undefined && value !== null && key !== 'clientMutationId');
  if (given.length > 0) throw new Error(`the Stash double does not implement ${inputType}.${given.map(([key]) => key).join(', ')}`);
}

/** Takes the plain performer fields out of an input (so what is left can be refused), with Stash's empty-means-unset. */
function takePerformerFields(rest: Input): Partial<PerformerFieldsRecord> {
  const fields: Partial<PerformerFieldsRecord> = {};
  for (const name of performerFieldNames) {
    if (!(name in rest)) continue;
    const value = rest[name];
    delete rest[name];
    if (value === undefined) continue;
    if (name === 'urls') fields.urls = ((value as string[] | null) ?? []).map(String);
    else if (name === 'height_cm') fields.height_cm = (value as number | null) ?? null;
    else fields[name] = (value as string | null) || null;
  }
  return fields;
}

async function downloadImage(url: string): Promise<Buffer> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`error getting image from ${url}: HTTP ${response.status}`);
  return Buffer.from(await response.arrayBuffer());
}

function decodeDataUrl(image: unknown): Buffer | undefined {
  if (typeof image !== 'string') return undefined;
  const match = /^data:[^;,]+;base64,(.*)$/s.exec(image);
  return match?.[1] ? Buffer.from(match[1], 'base64') : undefined;
}

function unique(ids: string[]): string[] {
  return [...new Set(ids)];
}

function uniqueStashIds(stashIds: StashIdRecord[]): StashIdRecord[] {
  const seen = new Set<string>();
  return stashIds.filter((s) => {
    const key = `${s.endpoint}\n${s.stash_id}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

