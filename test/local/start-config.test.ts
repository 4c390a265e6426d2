import { describe, expect, it } from 'vitest';
import {
  DEFAULT_LOCAL_CLIENT_SECRET,
  readClientSecret,
  readPorts,
  StartupError,
} from '../../local/start-config.js';

describe('npm start settings', () => {
  it('uses the documented default ports and key when nothing is set', () => {
    expect(readPorts({})).toEqual({
      api: 3000,
      token: 3001,
      simulator: 8443,
      dynamodb: 8000,
      sqs: 9324,
      secretsManager: 4584,
    });
    expect(readClientSecret({})).toBe(DEFAULT_LOCAL_CLIENT_SECRET);
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

  it('refuses a client secret with spaces or too short, without echoing it', () => {
    expect(() => readClientSecret({ LOCAL_CLIENT_SECRET: 'has space here' })).toThrow(
      /^LOCAL_CLIENT_SECRET must be 8-128 printable/,
    );
    expect(() => readClientSecret({ LOCAL_CLIENT_SECRET: 'short' })).not.toThrow(/short/);
    expect(() => readClientSecret({ LOCAL_CLIENT_SECRET: 'short' })).toThrow(StartupError);
  });
});
