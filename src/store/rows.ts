/**
 * Row types from the drizzle tables: a `SELECT *` row of `table` as the
 * driver returns it, keyed by column name (snake_case), with booleans as the
 * 0/1 integers they are stored as. Each table is defined once (its schema.ts);
 * its row type follows it.
 */
import type { Table } from 'drizzle-orm';

type Columns<T extends Table> = T['_']['columns'];

export type RowOf<T extends Table> = {
  [K in keyof Columns<T> & string as Columns<T>[K]['_']['name']]: T['$inferSelect'][K] extends boolean ? number : T['$inferSelect'][K];
};
