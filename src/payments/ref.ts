import { randomCode } from '../lib/random.ts';

/**
 * A purchase's short reference: the Paybill account number a customer can type (and the STK
 * AccountReference they see in the prompt). Unambiguous letters and digits only; 25^7 ≈ 6e9
 * values, the UNIQUE constraint catches the rare repeat (callers retry).
 */
export const newRef = (): string => `W${randomCode(7)}`;
