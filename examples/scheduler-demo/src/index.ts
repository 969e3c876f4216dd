/** Entry point: `pnpm start` at the repository root builds everything and runs this. */
import { runDemo } from './run-demo.js';

console.log('@x/scheduler demo: 10 chat requests on a 24-block KV pool (block size 8)');
console.log('Indented lines are request events; each step ends with its summary line.\n');
const { summary } = runDemo((line) => console.log(line));
console.log('\nsummary');
for (const line of summary) console.log(`  ${line}`);
