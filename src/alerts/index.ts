/** The alerts feature's public surface: other features import from here only. */
export { alertOverview, checkAlerts, inQuietHours } from './check.ts';
export { ALERT_TITLES, ALERTS, type AlertName } from './conditions.ts';
export {
  type AlertSettings,
  alertSettingsSchema,
  DEFAULT_ALERT_SETTINGS,
  loadAlertSettings,
  ownerPhone,
  readAlertSettings,
  saveAlertSettings,
  saveAlertSettingsSchema,
} from './settings.ts';
export { signBody } from './webhook.ts';
