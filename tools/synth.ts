/**
 * npm run synth [-- -c stage=dev|test|live] [other cdk synth flags]: CDK synth, offline, with cdk-nag.
 * Without a stage it synthesizes dev and says so, so the README's bare command works on a fresh clone.
 */
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
const named =
  args.some((arg, i) => arg.startsWith('stage=') && args[i - 1] === '-c') ||
  args.some((a) => a.startsWith('--context=stage='));
if (!named) {
  console.error('No stage given: synthesizing dev. Name one with: npm run synth -- -c stage=dev|test|live');
  args.push('-c', 'stage=dev');
}
const result = spawnSync('npx', ['cdk', 'synth', '--quiet', ...args], { stdio: 'inherit' });
process.exit(result.status ?? 1);
