/**
 * DynamoDB (dynalite) in a process of its own: on AWS the table and the LRS are different machines, so the
 * emulator's work (its expression parser is most of a write's cost here) must not hold up the simulator's
 * answers on a shared event loop. Sends `{ port }` once listening, then answers each `cpu` message with
 * the CPU time it has used (ms); exits when the orchestrator goes.
 */
import { startDynalite } from '../../local/emulators.js';

const running = await startDynalite(0);
process.on('message', () => {
  const cpu = process.cpuUsage();
  process.send?.({ cpuMs: (cpu.user + cpu.system) / 1000 });
});
process.on('disconnect', () => {
  void running.close().finally(() => process.exit(0));
});
process.send?.({ port: running.port });
