/**
 * `npm run admin -- <command>`: the operator's CLI for the organisation and caller registry, with the
 * operator's own AWS credentials (or `--local` for the emulators of `npm start`). See docs/operations.md.
 */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { callerAdd, callerList, callerRemove, callerStatus, grant, revoke } from './callers.js';
import { type AdminContext, createContext, type Io, OPTIONS, UsageError } from './context.js';
import { doctor } from './doctor.js';
import { orgAdd, orgList, orgRemove, orgRotate, orgShow, orgStatus } from './organisations.js';

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

const dispatch = async (ctx: AdminContext, args: readonly string[]): Promise<boolean> => {
  const [group, verb, a] = args;
  const key = group === 'org' || group === 'caller' ? `${group} ${verb ?? ''}` : (group ?? '');
  const id = group === 'org' || group === 'caller' ? a : verb;
  switch (key) {
    case 'org add':
      await orgAdd(ctx, id);
      return true;
    case 'org rotate':
      await orgRotate(ctx, id);
      return true;
    case 'org suspend':
      await orgStatus(ctx, id, 'suspended');
      return true;
    case 'org resume':
      await orgStatus(ctx, id, 'active');
      return true;
    case 'org remove':
      await orgRemove(ctx, id);
      return true;
    case 'org list':
      await orgList(ctx);
      return true;
    case 'org show':
      await orgShow(ctx, id);
      return true;
    case 'caller add':
      await callerAdd(ctx, id);
      return true;
    case 'caller suspend':
      await callerStatus(ctx, id, 'suspended');
      return true;
    case 'caller resume':
      await callerStatus(ctx, id, 'active');
      return true;
    case 'caller remove':
      await callerRemove(ctx, id);
      return true;
    case 'caller list':
      await callerList(ctx);
      return true;
    case 'grant':
      await grant(ctx, verb, a);
      return true;
    case 'revoke':
      await revoke(ctx, verb, a);
      return true;
    case 'doctor':
      return doctor(ctx, verb);
    default:
      throw new UsageError(`Unknown command: ${args.join(' ') || '(none)'}\n\n${USAGE}`);
  }
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
