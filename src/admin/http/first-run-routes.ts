/** First-run setup: the checklist after the owner account is created (src/admin/first-run). */
import { changeChecklist, checklistChange, getChecklist } from '../first-run/checklist.ts';
import { route } from './route.ts';

export const firstRunRoutes = [
  route({
    method: 'GET',
    path: '/api/admin/first-run',
    tag: 'setup',
    summary: 'The first-run checklist: each step done or not, from the real state',
    handler: ({ deps }) => getChecklist(deps),
  }),
  route({
    method: 'POST',
    path: '/api/admin/first-run',
    tag: 'setup',
    summary: 'Skip or unskip a step, mark the plans reviewed, close or reopen the checklist',
    body: checklistChange,
    handler: ({ deps, body, actor, ip }) => changeChecklist(deps, body, actor, ip),
  }),
];
