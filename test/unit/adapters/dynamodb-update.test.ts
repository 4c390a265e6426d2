/** The UpdateItem commands the stores send, from what they change and when. */
import { describe, expect, it } from 'vitest';
import { updateItem } from '../../../shared/adapters/dynamodb-update.js';

const KEY = { pk: 'JOB#job-1', sk: 'JOB' };

describe('updateItem', () => {
  it('sets, adds and removes, under conditions that all must hold', () => {
    const { input } = updateItem('t', KEY, {
      set: { status: 'CANCELLING', at: '2026-12-02T00:00:00.000Z', skipped: undefined },
      add: { openItems: -1 },
      remove: ['waiting'],
      exists: true,
      equal: { status: 'RUNNING' },
      absent: ['notified'],
      returnValues: 'UPDATED_NEW',
    });
    expect(input).toEqual({
      TableName: 't',
      Key: KEY,
      UpdateExpression:
        'SET #status = :set_status, #at = :set_at ADD #openItems :add_openItems REMOVE #waiting',
      ConditionExpression:
        'attribute_exists(#pk) AND #status = :is_status AND attribute_not_exists(#notified)',
      ExpressionAttributeNames: {
        '#status': 'status',
        '#at': 'at',
        '#openItems': 'openItems',
        '#waiting': 'waiting',
        '#pk': 'pk',
        '#notified': 'notified',
      },
      ExpressionAttributeValues: {
        ':set_status': 'CANCELLING',
        ':set_at': '2026-12-02T00:00:00.000Z',
        ':add_openItems': -1,
        ':is_status': 'RUNNING',
      },
      ReturnValues: 'UPDATED_NEW',
    });
  });

  it('sends no condition and no values when there are none', () => {
    const { input } = updateItem('t', KEY, { remove: ['lease'] });
    expect(input).toEqual({
      TableName: 't',
      Key: KEY,
      UpdateExpression: 'REMOVE #lease',
      ExpressionAttributeNames: { '#lease': 'lease' },
    });
  });

  it('refuses an update that changes nothing, and a name that cannot be a placeholder', () => {
    expect(() => updateItem('t', KEY, { set: { a: undefined }, exists: true })).toThrow(
      'An update must change something',
    );
    expect(() => updateItem('t', KEY, { set: { 'a-b': 1 } })).toThrow('cannot be a placeholder');
  });
});
