// The README stays true: every setting the gateway reads is documented, and its two commands are the
// ones package.json and .ci/run run.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { describeSettings } from '../../../src/config.ts';

const readme = readFileSync('README.md', 'utf8');

describe('README', () => {
  it('documents every environment variable', () => {
    const missing = describeSettings().map((s) => s.env).filter((env) => !readme.includes(`\`${env}\``));
    expect(missing).toEqual([]);
  });

  it('starts with the demo and test commands that .ci/run runs', () => {
    const head = readme.split('\n').slice(0, 20).join('\n');
    expect(head).toContain('npm ci && npm run demo');
    expect(head).toContain('npm ci && npm test');
    expect(readFileSync('.ci/run', 'utf8')).toContain('npm ci && npm test');
  });
});
