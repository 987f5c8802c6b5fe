import type { EventTypeRecord } from '../types';
import catalogue from './eventTypes.json';

/** A row of `eventTypes.json`, a copy of `../shared/onelogin/event-types.json` (API.md §13). */
interface CatalogueRow {
  id: number;
  name: string | null;
  label: string | null;
  description: string | null;
}

/**
 * COMPOSED templates, not OneLogin's: only ids 1-7 have documented descriptions. These follow
 * the event titles of KB0010422 (seed 003), which read like the live templates with the `%`
 * signs dropped ("User logged into app", "Actor_user unlocked user", "Otp_device registered for
 * user"), matched to ids through their labels.
 */
const COMPOSED_FROM_KB: Readonly<Record<number, string>> = {
  8: '%user% logged into %app%',
  9: '%user% failed to log into %app%',
  10: '%user% requested new password',
  11: '%actor_user% changed password for %user%',
  12: '%actor_user% unlocked %user%',
  13: '%user% was created by %actor_user%',
  14: '%user% updated by %actor_user%',
  15: '%user% deactivated by %actor_user%',
  16: '%user% was activated by %actor_user%',
  17: '%user% was deleted by %actor_user%',
  19: '%user% locked',
  20: 'User limit reached',
  21: '%user% suspended by %actor_user%',
  22: '%otp_device% registered for %user%',
  24: '%otp_device% deregistered for %user%',
  26: 'Provisioning event',
  27: 'Downloaded browser cert',
  29: '%user% logged out of %app%',
  32: '%user% reactivated',
  34: '%user% requested access to %app%',
  38: '%app% has reached user limit',
  40: '%otp_device% unlocked for %user%',
  48: '%user% was imported',
  51: '%user% created in %app%',
  52: '%user% updated in %app%',
  53: '%user% suspended in %app%',
  54: '%user% reactivated in %app%',
  55: '%user% deleted in %app%',
  56: 'Unmatched users',
  64: '%user% could not be created in %app%',
  65: '%user% could not be updated in %app%',
  66: 'No users to import',
  68: '%user% authenticated by %radius_config%',
  69: '%user% rejected by %radius_config%',
  86: '%user% failed remote authentication',
  100: 'Self registration request for %user%',
  101: 'Self registration approved for %user%',
  102: 'Self registration denied for %user%',
  105: 'Sms failure',
  110: '%actor_user% updated user login information',
  111: '%actor_user% attempted to update login information',
  113: 'Import from %directory% started',
  114: 'Import from %directory% finished',
  117: 'Directory sync %directory_sync_run_id%',
  122: '%user% authenticated via api',
  123: '%user% failed authentication via api',
  137: '%user% granted access to %app%',
  138: '%user% denied access to %app%',
  145: 'Smart password updated for %user%',
  146: 'Smart password could not be updated for %user%',
  147: '%user% added to %role%',
  148: '%user% removed from %role%',
  149: '%user% automatically added to %role%',
  150: '%user% automatically removed from %role%',
  151: '%user% granted permission to manage %role%',
  152: '%user% permission to manage %role% revoked',
  513: 'Api - roles added to %user% using %client_name%',
  514: 'Api - roles removed for %user% using %client_name%',
  516: 'Api - %user% logged out using %client_name%',
  529: 'Api - %user% updated using %client_name%',
  530: 'Api - %user% deleted using %client_name%',
  531: 'Api - %user% locked using %client_name%',
  533: 'Api - %user% created using %client_name%',
  1400: '%user% successfully verified authenticator %otp_device%',
};

/** Subjects at the start of a label and the placeholder that replaces or follows them. */
const LEADING_SUBJECTS: ReadonlyArray<readonly [RegExp, string]> = [
  [/^(Acting user|Actor user|Admin) /, '%actor_user% '],
  [/^User (?!field|limit|app )/, '%user% '],
  [/^App /, 'App %app% '],
  [/^Role (?!management)/, 'Role %role% '],
  [/^Policy /, 'Policy %policy% '],
  [/^Directory (?!connector|sync|import|export|fields|refresh)/, 'Directory %directory% '],
];

/** Objects at the end of a label and what replaces them. */
const TRAILING_OBJECTS: ReadonlyArray<readonly [RegExp, string]> = [
  [/ user$/, ' user %user%'],
  [/ app$/, ' %app%'],
  [/ role$/, ' role %role%'],
  [/ group$/, ' group %group%'],
  [/ policy$/, ' policy %policy%'],
  [/ OTP device$/, ' OTP device %otp_device%'],
  [/ directory$/, ' directory %directory%'],
];

/**
 * COMPOSED, not OneLogin's: turns a human label into a `%placeholder%` template by naming the
 * entities it mentions ("User logged out of app" → "%user% logged out of %app%"). Labels that
 * mention no entity come back unchanged.
 */
export function composeTemplate(label: string): string {
  let template = label;
  for (const [pattern, replacement] of LEADING_SUBJECTS) {
    if (pattern.test(template)) {
      template = template.replace(pattern, replacement);
      break;
    }
  }
  for (const [pattern, replacement] of TRAILING_OBJECTS) {
    if (pattern.test(template)) {
      template = template.replace(pattern, replacement);
      break;
    }
  }
  return template;
}

/**
 * The 539 event types as `GET /api/1/events/types` serves them: documented templates for ids
 * 1-7, composed ones where a label is known, null elsewhere.
 */
export function buildEventTypes(): EventTypeRecord[] {
  return (catalogue as CatalogueRow[]).map((row) => ({
    id: row.id,
    name: row.name,
    description:
      row.description ??
      COMPOSED_FROM_KB[row.id] ??
      (row.label === null ? null : composeTemplate(row.label)),
  }));
}
