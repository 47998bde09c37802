import type { RegistryContext } from './context.js';

/** Small process-wide values the registry keeps; the first writer of a key wins. */
export interface SettingsStore {
  get(key: string): Promise<string | null>;
  /** Stores `value` unless the key exists, and returns what is stored (so replicas agree). */
  getOrCreate(key: string, value: () => string): Promise<string>;
}

export function createSettingsStore(ctx: RegistryContext): SettingsStore {
  const get = async (key: string) => (await ctx.db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst())?.value ?? null;
  return {
    get,
    async getOrCreate(key, value) {
      await ctx.db.insertInto('settings').values({ key, value: value(), updated_at: ctx.clock.now() }).onConflict((oc) => oc.column('key').doNothing()).execute();
      return (await get(key))!;
    },
  };
}
