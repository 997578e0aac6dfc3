/** Row ids are integers shown outside as strings (IDs are strings, as Stash's are); anything else finds nothing. */
export function parseId(id: string): number | undefined {
  return /^[1-9]\d{0,14}$/.test(id) ? Number(id) : undefined;
}
