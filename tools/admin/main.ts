/**
 * `npm run admin -- <command>`: the operator's CLI for the organisation and caller registry, with the
 * operator's own AWS credentials (or `--local` for the emulators of `npm start`). See docs/operations.md.
 */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { CALLER_STATUS, callerAdd, callerList, callerRemove, grant, revoke } from './callers.js';
import {
  type AdminContext,
  createContext,
  type Io,
  OPTIONS,
  type StatusTarget,
  setStatus,
  UsageError,
} from './context.js';
import { doctor } from './doctor.js';
import { ORGANISATION_STATUS, orgAdd, orgList, orgRemove, orgRotate, orgShow } from './organisations.js';

export const USAGE = `Usage: npm run admin -- [--stage <stage>] [--local] <command>

Organisations
  org add <id> (--pfx <file> --passphrase-env <VAR> | --cert <pem> --key <pem> [--key-passphrase-env <VAR>])
               --org-password-env <VAR> --user-name <name> --vendor-id <n> [--server-ca <pem>] [--kms-key-id <key>]
               [--secret-reader-arn <arn,...>]
  org rotate <id> [--pfx … | --cert … --key …] [--org-password-env <VAR>] [--server-ca <pem>]   new version, no downtime
  org suspend <id> | org resume <id> | org remove <id> [--keep-secret] | org list [--json] | org show <id>
Callers
  caller add [<id> with --local] --name <name> --scopes lrs.read,lrs.write,jobs,admin [--queue-sender <AROA…>]
             (in AWS: --user-pool-id <pool> or COGNITO_USER_POOL_ID, Cognito makes the client id;
              another OIDC issuer such as Entra ID: give its client id and no pool)
  caller suspend <id> | caller resume <id> | caller remove <id> | caller list
  grant <caller> <org> [--read-all] | revoke <caller> <org>
Diagnosis
  doctor <org> [--lrs-endpoint <url>]   one harmless LRS call (GetOrganisation), each failure explained

Secrets (passphrases, the organisation password) are read from the environment variables you name,
never from the command line. Endpoints: --local (npm start's emulators), or --dynamodb-endpoint,
--secrets-endpoint, --cognito-endpoint; --registry-table overrides lrs-gateway-<stage>-registry.`;

/**
 * A command's work, given the words after its name (`org show <id>`: the id; `grant <caller> <org>`: both).
 * Resolves false when it ran and found a fault (the doctor's diagnosis: exit code 1).
 */
type Command = (ctx: AdminContext, first: string | undefined, second: string | undefined) => Promise<unknown>;

/** `<group> suspend <id>` and `<group> resume <id>`. */
const statusCommands = (group: string, target: StatusTarget): Record<string, Command> => ({
  [`${group} suspend`]: (ctx, id) => setStatus(ctx, target, id, 'suspended'),
  [`${group} resume`]: (ctx, id) => setStatus(ctx, target, id, 'active'),
});

/** Every command by its name: one word, or the group and the verb for `org` and `caller`. */
const COMMANDS: ReadonlyMap<string, Command> = new Map(
  Object.entries({
    'org add': orgAdd,
    'org rotate': orgRotate,
    ...statusCommands('org', ORGANISATION_STATUS),
    'org remove': orgRemove,
    'org list': orgList,
    'org show': orgShow,
    'caller add': callerAdd,
    ...statusCommands('caller', CALLER_STATUS),
    'caller remove': callerRemove,
    'caller list': callerList,
    grant,
    revoke,
    doctor,
  } satisfies Record<string, Command>),
);

const GROUPS: ReadonlySet<string | undefined> = new Set(['org', 'caller']);

const dispatch = async (ctx: AdminContext, args: readonly string[]): Promise<boolean> => {
  const grouped = GROUPS.has(args[0]);
  const command = COMMANDS.get(grouped ? `${args[0]} ${args[1] ?? ''}` : (args[0] ?? ''));
  if (!command) throw new UsageError(`Unknown command: ${args.join(' ') || '(none)'}\n\n${USAGE}`);
  const [first, second] = args.slice(grouped ? 2 : 1);
  return (await command(ctx, first, second)) !== false;
};

/** Runs one command; resolves with the exit code (0 ok, 1 a diagnosis or AWS failure, 2 a usage error). */
export const runAdmin = async (argv: readonly string[], io: Io): Promise<number> => {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    io.err(`${e instanceof Error ? e.message : String(e)}\n\n${USAGE}`);
    return 2;
  }
  if (parsed.values.help || parsed.positionals.length === 0) {
    io.out(USAGE);
    return parsed.values.help ? 0 : 2;
  }
  let ctx: AdminContext | undefined;
  try {
    ctx = createContext(parsed.values, io);
    return (await dispatch(ctx, parsed.positionals)) ? 0 : 1;
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(e.message);
      return 2;
    }
    // AWS errors: their name and message (they never carry secret values).
    const name = (e as { name?: string }).name ?? 'Error';
    io.err(`${name}: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  } finally {
    ctx?.close();
  }
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  runAdmin(process.argv.slice(2), {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    env: process.env,
  }).then((code) => process.exit(code));
}
