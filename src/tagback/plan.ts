/** What one tag-back will change on one item: decided before anything is sent. */
export interface TagBackPlan {
  targetId: string;
  /** Requested performers not on the item yet: the ADD. */
  toAdd: string[];
  alreadyPresent: string[];
  /** The "suggested" tag, when asked for and not on the item yet. */
  tagToAdd: string | null;
}

export function planTagBack(
  item: { id: string; performerIds: readonly string[]; tagIds: readonly string[] },
  requestedPerformerIds: readonly string[],
  suggestedTagId: string | null,
): TagBackPlan {
  const present = new Set(item.performerIds);
  const requested = [...new Set(requestedPerformerIds)];
  return {
    targetId: item.id,
    toAdd: requested.filter((id) => !present.has(id)),
    alreadyPresent: requested.filter((id) => present.has(id)),
    tagToAdd: suggestedTagId && !item.tagIds.includes(suggestedTagId) ? suggestedTagId : null,
  };
}

export function planChangesNothing(plan: TagBackPlan): boolean {
  return plan.toAdd.length === 0 && plan.tagToAdd === null;
}
