import type { Deps } from '../../app/deps.ts';
import { allRouters, type RouterView, toView } from './repo.ts';

export async function listRouters(deps: Deps): Promise<RouterView[]> {
  return (await allRouters(deps.db)).map(toView);
}
