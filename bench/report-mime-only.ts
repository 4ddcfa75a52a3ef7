// Diagnostic, not part of the pass/fail figure: postal-mime alone on the same mails (no gunzip, no JSON),
// to show how much of the command's time the MIME parser takes.
import * as fs from 'node:fs';
import PostalMime from 'postal-mime';

async function main(): Promise<void> {
  let attachments = 0;
  for (const file of process.argv.slice(2)) {
    const email = await PostalMime.parse(fs.readFileSync(file));
    attachments += email.attachments.length;
  }
  process.stdout.write(`${attachments}\n`);
}

void main();
