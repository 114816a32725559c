// Back in stock subscriptions: a profile (by email, phone number or ids) asks to hear through some channels
// when a variant is available again. The variant must exist; each channel needs the identifier it reaches.
import { compoundId, externalIdOf, ID_FORM } from './ids.js';
import type { Outcome } from './changes.js';
import type { CatalogState } from './state.js';

export interface SubscriptionInput {
  attributes: {
    channels: string[];
    profile?: { data: { type: string; id?: string | null; attributes?: { email?: string | null; phone_number?: string | null; external_id?: string | null } } } | null;
  };
  relationships: { variant: { data: { type: string; id: string } } };
}

export interface Subscription {
  variant: string;
  channels: string[];
  email: string | null;
  phoneNumber: string | null;
  profileExternalId: string | null;
  profileId: string | null;
  createdAt: string;
}

// Both patterns are unambiguous (no two quantifiers can match the same character), so a test takes time
// linear in the input; the request schema bounds the input's length before any pattern sees it. The domain's
// labels are split on '.', which the label class excludes: `a@b..c` or `a@b.` are refused.
/** Longest values the request schema accepts: an email address (RFC 5321), a phone number, a profile id. */
export const PROFILE_LIMITS = { email: 254, phoneNumber: 32, id: 1_000 } as const;

const EMAIL = /^[^\s@]+@[^\s@.]+(?:\.[^\s@.]+)+$/;
const E164 = /^\+[1-9]\d{6,14}$/;
const PROFILE = '/data/attributes/profile/data';

const invalid = (detail: string, pointer: string): Outcome => ({ ok: false, failure: { status: 400, code: 'invalid', detail, pointer } });

/** Checks that need no stored data; returns the failure or the subscription to store. */
export function toSubscription(input: SubscriptionInput, now: string): Outcome | Subscription {
  const channels = [...new Set(input.attributes.channels)];
  if (channels.length === 0) return invalid('At least one channel is required.', '/data/attributes/channels');
  const profile = input.attributes.profile?.data;
  const email = profile?.attributes?.email ?? null;
  const phoneNumber = profile?.attributes?.phone_number ?? null;
  const profileExternalId = profile?.attributes?.external_id ?? null;
  const profileId = profile?.id ?? null;
  if (email !== null && !EMAIL.test(email)) return invalid(`'${email}' is not a valid email address.`, `${PROFILE}/attributes/email`);
  if (phoneNumber !== null && !E164.test(phoneNumber)) return invalid(`'${phoneNumber}' is not a phone number in E.164 format (+15005550006).`, `${PROFILE}/attributes/phone_number`);
  if (channels.includes('EMAIL') && email === null) return invalid('The EMAIL channel needs the profile\'s email.', `${PROFILE}/attributes/email`);
  if ((channels.includes('SMS') || channels.includes('WHATSAPP')) && phoneNumber === null) {
    return invalid('The SMS and WHATSAPP channels need the profile\'s phone_number.', `${PROFILE}/attributes/phone_number`);
  }
  if (!email && !phoneNumber && !profileExternalId && !profileId) return invalid('The profile needs an email, phone_number, external_id or id.', PROFILE);
  const variant = externalIdOf(input.relationships.variant.data.id);
  if (variant === undefined) return invalid(`The variant id is not valid; ${ID_FORM}.`, '/data/relationships/variant/data/id');
  return { variant, channels, email, phoneNumber, profileExternalId, profileId, createdAt: now };
}

export function subscribe(state: CatalogState, subscription: Subscription): Outcome {
  if (!state.get('variant', subscription.variant)) {
    return { ok: false, failure: { status: 404, code: 'not_found', detail: `The catalog-variant with id '${compoundId(subscription.variant)}' does not exist.`, pointer: '/data/relationships/variant/data/id' } };
  }
  state.subscribe(subscription);
  return { ok: true, row: undefined };
}
