import { describe, expect, it } from 'vitest';
import { DEFAULT_LOCAL_API_KEY, readApiKey, readPorts, StartupError } from '../../local/start-config.js';

describe('npm start settings', () => {
  it('uses the documented default ports and key when nothing is set', () => {
    expect(readPorts({})).toEqual({
      api: 3000,
      simulator: 8443,
      dynamodb: 8000,
      sqs: 9324,
      secretsManager: 4584,
    });
    expect(readApiKey({})).toBe(DEFAULT_LOCAL_API_KEY);
  });

  it('takes ports from the env, 0 meaning any free port', () => {
    expect(readPorts({ LOCAL_API_PORT: '0', LOCAL_SQS_PORT: '19324' })).toMatchObject({ api: 0, sqs: 19324 });
  });

  it('names every bad variable and its rule', () => {
    const read = () => readPorts({ LOCAL_API_PORT: 'abc', LOCAL_DYNAMODB_PORT: '70000' });
    expect(read).toThrow(StartupError);
    expect(read).toThrow(
      /LOCAL_API_PORT must be a port number from 0 to 65535[\s\S]*LOCAL_DYNAMODB_PORT must be/,
    );
  });

  it('refuses an API key with spaces or too short, without echoing it', () => {
    expect(() => readApiKey({ LOCAL_API_KEY: 'has space here' })).toThrow(
      /^LOCAL_API_KEY must be 8-128 printable/,
    );
    expect(() => readApiKey({ LOCAL_API_KEY: 'short' })).not.toThrow(/short/);
    expect(() => readApiKey({ LOCAL_API_KEY: 'short' })).toThrow(StartupError);
  });
});
