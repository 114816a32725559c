// POST /api/back-in-stock-subscriptions: validate, check the variant exists, store; 202 with no body.
import type { FastifyInstance } from 'fastify';
import { PROFILE_LIMITS, subscribe, toSubscription, type SubscriptionInput } from '../../catalog/back-in-stock.js';
import { operation } from '../../http/operations.js';
import { parseQuery } from '../../http/query.js';
import type { Store } from '../../store/store.js';
import type { Clock } from '../../clock.js';
import { idSchema } from '../schemas.js';
import { raise } from '../shared.js';

// Lengths are bounded here, before the domain's patterns look at the strings.
const nullableString = (maxLength: number) => ({ type: ['string', 'null'], maxLength });
const strict = (properties: Record<string, unknown>, required: string[] = []) => ({ type: 'object', properties, required, additionalProperties: false });

const body = strict({
  data: strict({
    type: { type: 'string', enum: ['back-in-stock-subscription'] },
    attributes: strict({
      channels: { type: 'array', maxItems: 10, items: { type: 'string', enum: ['EMAIL', 'PUSH', 'SMS', 'WHATSAPP'] } },
      profile: {
        type: ['object', 'null'],
        required: ['data'],
        additionalProperties: false,
        properties: {
          data: strict({
            type: { type: 'string', enum: ['profile'] },
            id: nullableString(PROFILE_LIMITS.id),
            attributes: strict({
              email: nullableString(PROFILE_LIMITS.email),
              phone_number: nullableString(PROFILE_LIMITS.phoneNumber),
              external_id: nullableString(PROFILE_LIMITS.id),
            }),
          }, ['type', 'attributes']),
        },
      },
    }, ['channels']),
    relationships: strict({
      variant: strict({ data: strict({ type: { type: 'string', enum: ['catalog-variant'] }, id: idSchema }, ['type', 'id']) }, ['data']),
    }, ['variant']),
  }, ['type', 'attributes', 'relationships']),
}, ['data']);

export function registerBackInStock(app: FastifyInstance, store: Store, clock: Clock): void {
  app.post<{ Body: { data: SubscriptionInput } }>('/api/back-in-stock-subscriptions', {
    config: { operation: operation('create_back_in_stock_subscription') },
    schema: { body },
  }, async (request, reply) => {
    parseQuery(request);
    const subscription = toSubscription(request.body.data, clock.now().toISOString());
    if ('ok' in subscription) raise(subscription);
    else raise(await store.transact(request.account, [{ kind: 'variant', externalId: subscription.variant }], (state) => subscribe(state, subscription)));
    return reply.code(202).send();
  });
}
