import type { routers } from '../../db/schema.ts';

/**
 * A `routers` row as stored. In a file of its own, importing nothing of ours but the schema, so
 * that `Deps` (which holds the router connections) and the adapters can both use it without an
 * import cycle.
 */
export type RouterRow = typeof routers.$inferSelect;
