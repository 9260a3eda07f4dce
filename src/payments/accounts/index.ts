/** Payment accounts: several M-Pesa Paybills or Tills, each for some routers or sites. */
export { accountByShortcode, accountForRouter, ourShortcodes } from './resolve.ts';
