// The fault rules' control routes (account-scoped, full-access key): list, create, delete one, delete all.
import type { FastifyInstance } from 'fastify';
import type { Clock } from '../clock.js';
import { notFound } from '../http/errors.js';
import { send } from '../http/jsonapi.js';
import { parseRule, renderRule, ruleBody, type FaultRules, type RuleAttributes } from './faults.js';

export function registerFaultRoutes(app: FastifyInstance, rules: FaultRules, clock: Clock): void {
  app.get('/__admin/faults', { config: { control: 'account', controlName: 'get_fault_rules' } }, async (request, reply) => {
    return send(reply, 200, { data: rules.list(request.account).map(renderRule) });
  });

  app.post<{ Body: { data: { attributes: RuleAttributes } } }>('/__admin/faults', {
    config: { control: 'account', controlName: 'create_fault_rule' },
    schema: { body: ruleBody },
  }, async (request, reply) => {
    const rule = parseRule(request.body.data.attributes, clock.now());
    rules.add(request.account, rule);
    return send(reply, 201, { data: renderRule(rule) });
  });

  app.delete<{ Params: { id: string } }>('/__admin/faults/:id', { config: { control: 'account', controlName: 'delete_fault_rule' } }, async (request, reply) => {
    if (!rules.delete(request.account, request.params.id)) throw notFound(`There is no fault rule with id '${request.params.id}'.`);
    return reply.code(204).send();
  });

  app.delete('/__admin/faults', { config: { control: 'account', controlName: 'delete_fault_rules' } }, async (request, reply) => {
    rules.clear(request.account);
    return reply.code(204).send();
  });
}
