import { AppError } from '../lib/errors.ts';

export const usernameTaken = (username: string) =>
  new AppError('conflict', `There is already a subscriber with the username "${username}".`);

export const planTaken = (name: string) =>
  new AppError('conflict', `There is already a service plan named "${name}".`);
