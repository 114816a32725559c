// Fault rules as text: a rule's action ("status 503 (service_unavailable)"), and the rule a journal entry names
// as having fired (`{id, when, action}`). Pure, shared by the faults and journal views.

export function actionText(action: any): string {
  switch (action?.type) {
    case 'status':
      return `status ${action.status}${action.code ? ` (${action.code})` : ''}${action.retry_after !== undefined ? `, Retry-After ${action.retry_after}` : ''}`;
    case 'latency':
      return action.ms !== undefined ? `latency ${action.ms} ms` : `latency ${action.min_ms}–${action.max_ms} ms`;
    case 'drop':
      return 'drop the connection';
    case 'truncate':
      return 'truncate the response';
    default:
      return JSON.stringify(action ?? null);
  }
}

/** A fired fault as the journal names it: what it did, when, and which rule. */
export function firedText(fault: any): string {
  if (!fault) return '';
  return `${actionText(fault.action)}${fault.when ? ` ${fault.when}` : ''} (rule ${fault.id})`;
}
