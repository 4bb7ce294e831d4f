// The fonts the printable records are set in: DejaVu Sans from Debian's fonts-dejavu-core (licence:
// Bitstream Vera Fonts Copyright with DejaVu changes in the public domain — free to embed and
// redistribute; /usr/share/doc/fonts-dejavu-core/copyright). CV_FONT_DIR points elsewhere if needed.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GatewayError } from '../errors.ts';
import type { CvFonts } from './cv-pdf.ts';

export const DEFAULT_CV_FONT_DIR = '/usr/share/fonts/truetype/dejavu';

/** Reads DejaVuSans.ttf and DejaVuSans-Bold.ttf from `dir`; CONFIG_INVALID naming the file when one is missing. */
export function loadCvFonts(dir: string = DEFAULT_CV_FONT_DIR): CvFonts {
  const read = (name: string) => {
    try {
      return new Uint8Array(readFileSync(join(dir, name)));
    } catch (err) {
      throw new GatewayError('CONFIG_INVALID', { variable: 'CV_FONT_DIR', file: join(dir, name), reason: 'font not readable', hint: 'apt-get install fonts-dejavu-core' }, { cause: err });
    }
  };
  return { regular: read('DejaVuSans.ttf'), bold: read('DejaVuSans-Bold.ttf') };
}
