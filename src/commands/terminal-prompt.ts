// Questions asked on the operator's own terminal: a PIN (not echoed) and a yes/no confirmation.
// Used by `csdl-gateway sign --pkcs11-module` and `csdl-gateway signer-agent`; tests inject their own.
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';

/** Reads one line from the terminal without echoing it (the PIN never appears on screen or in a log). */
export function askHidden(question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let muted = false;
    const output = new Writable({
      write(chunk: Buffer, _encoding, done) {
        if (!muted) process.stderr.write(chunk);
        done();
      },
    });
    const rl = createInterface({ input: process.stdin, output, terminal: process.stdin.isTTY === true });
    process.stderr.write(question);
    muted = true;
    rl.question('', (answer) => {
      muted = false;
      process.stderr.write('\n');
      rl.close();
      resolve(answer);
    });
    rl.once('error', reject);
  });
}

/** Asks a yes/no question; only "c"/"có"/"y"/"yes" count as yes. */
export function askYesNo(question: string): Promise<boolean> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    rl.question(question, (answer) => {
      rl.close();
      resolve(/^(c|có|y|yes)$/i.test(answer.trim()));
    });
  });
}
