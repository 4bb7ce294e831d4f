// The fonts the printable records are set in: DejaVu Sans (licence: Bitstream Vera Fonts Copyright with
// DejaVu changes in the public domain — free to embed and redistribute), from the npm package
// dejavu-fonts-ttf, so a fresh install needs no system font; CV_FONT_DIR points elsewhere if needed.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { GatewayError } from '../errors.ts';
import type { CvFonts } from './cv-pdf.ts';

export const DEFAULT_CV_FONT_DIR = join(dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')), 'ttf');

/** Reads DejaVuSans.ttf and DejaVuSans-Bold.ttf from `dir`; CONFIG_INVALID naming the file when one is missing. */
export function loadCvFonts(dir: string = ''): CvFonts {
  dir ||= DEFAULT_CV_FONT_DIR;
  const read = (name: string) => {
    try {
      return new Uint8Array(readFileSync(join(dir, name)));
    } catch (err) {
      throw new GatewayError('CONFIG_INVALID', { variable: 'CV_FONT_DIR', file: join(dir, name), reason: 'font not readable', hint: 'npm ci (dejavu-fonts-ttf), or CV_FONT_DIR' }, { cause: err });
    }
  };
  return { regular: read('DejaVuSans.ttf'), bold: read('DejaVuSans-Bold.ttf') };
}
