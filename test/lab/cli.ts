// The lab by hand:
//   node test/lab/cli.ts up 2 [--no-stonith]     boot a 2- or 3-node cluster
//   node test/lab/cli.ts exec n1 crm_mon -1r     a command on a node (all its namespaces)
//   node test/lab/cli.ts crash n1 | stop n1 | start n1 | unplug n1 | replug n1
//   node test/lab/cli.ts down                    remove everything the lab made
import { Lab } from './lab.ts';

const [command, ...args] = process.argv.slice(2);
const attach = () => Lab.attach();

switch (command) {
  case 'up': {
    const lab = new Lab({ nodes: Number(args[0] ?? 2), stonith: !args.includes('--no-stonith') });
    const t = Date.now();
    await lab.up();
    console.log(`lab up: ${lab.names.join(', ')} on ${lab.subnet}.0/24 in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    break;
  }
  case 'down':
    await new Lab({ nodes: 2 }).down();
    console.log('lab down');
    break;
  case 'exec': {
    const r = await attach().exec(args[0]!, args.slice(1));
    process.stdout.write(r.stdout);
    process.stderr.write(r.stderr);
    process.exitCode = r.code;
    break;
  }
  case 'crash':
    await attach().crash(args[0]!);
    break;
  case 'stop':
    await attach().stop(args[0]!);
    break;
  case 'start':
    await attach().start(args[0]!);
    break;
  case 'unplug':
    await attach().link(args[0]!, 'down');
    break;
  case 'replug':
    await attach().link(args[0]!, 'up');
    break;
  default:
    console.error('usage: cli.ts up N [--no-stonith] | down | exec NODE CMD... | crash|stop|start|unplug|replug NODE');
    process.exitCode = 2;
}
