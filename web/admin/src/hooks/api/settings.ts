import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type {
  BrandingInput,
  CheckAnswer,
  MpesaInput,
  PppSettingsInput,
  Settings,
  SmsInput,
} from '../../../../../src/admin/http/api-types.ts';
import { get, post, put } from '../../api.ts';

export const settingsKeys = {
  all: ['settings'] as const,
};

export function useSettings() {
  return useQuery({ queryKey: settingsKeys.all, queryFn: () => get<Settings>('/settings') });
}

/** The body each part of the settings is saved with. */
export interface SettingsParts {
  branding: BrandingInput;
  mpesa: MpesaInput;
  sms: SmsInput;
  ppp: PppSettingsInput;
}

/** Saves one part of the settings (PUT /settings/<part>). */
export function useSaveSettings<K extends keyof SettingsParts>(part: K) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: SettingsParts[K]) => put<{ ok: true }>(`/settings/${part}`, body),
    onSuccess: () => qc.invalidateQueries({ queryKey: settingsKeys.all }),
  });
}

/** The Settings page's check buttons: Daraja's or the SMS provider's answer in plain words. */
export type { CheckAnswer };

export function useSettingsCheck(path: 'mpesa/test' | 'mpesa/register-urls' | 'sms/test') {
  return useMutation({ mutationFn: (body?: unknown) => post<CheckAnswer>(`/settings/${path}`, body) });
}
