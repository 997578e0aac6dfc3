import { describe, expect, it } from 'vitest';
import { isSenseError } from '../../src/errors.js';
import { toStashPerformerInput } from '../../src/stashbox/index.js';

describe('toStashPerformerInput', () => {
  it("writes Stash's field names, clearing a field given no value", () => {
    expect(toStashPerformerInput({ hair_color: ['Blonde'], aliases: ['A', 'a', 'B'], height: ['170'], breast_type: ['Natural'], gender: ['non binary'], country: [] })).toEqual({
      hair_color: 'Blonde',
      alias_list: ['A', 'B'],
      height_cm: 170,
      fake_tits: 'Natural',
      gender: 'NON_BINARY',
      country: '',
    });
  });

  it('refuses what Stash would not take, naming the field', () => {
    for (const values of [{ height: ['tall'] }, { gender: ['robot'] }, { name: [] }, { hair_color: ['Red', 'Blonde'] }]) {
      let error: unknown;
      try {
        toStashPerformerInput(values);
      } catch (caught: unknown) {
        error = caught;
      }
      expect(isSenseError(error) && error.code === 'BAD_INPUT').toBe(true);
    }
  });
});
