/** One simulator's `wavu sim NAME` entry (its own file so entries need not import the dispatcher). */
export interface SimEntry {
  name: string;
  summary: string;
  /** Shown by `wavu sim NAME --help`. */
  usage: string;
  run(argv: string[]): Promise<number | undefined>;
}
