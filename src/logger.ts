// One pino logger for the whole process. Personal ids never reach a log line: redaction of the known
// fields is configured once here, and URLs (which carry ids in paths) are masked by the serializer.
import { pino, type DestinationStream, type Logger } from 'pino';

const twelveDigits = /(?<![0-9])([0-9]{3})[0-9]{7}([0-9]{2})(?![0-9])/g;

/** 001234567890 → 001*******90: enough for an operator to tell records apart, not to identify a person. */
export function maskPersonalIds(text: string): string {
  return text.replace(twelveDigits, '$1*******$2');
}

export function createLogger(level = 'info', options: { name?: string; destination?: DestinationStream } = {}): Logger {
  const config = {
    level,
    name: options.name ?? 'csdl-gateway',
    redact: {
      paths: ['personalId', '*.personalId', 'req.headers.authorization', 'headers.authorization', 'password', '*.password'],
      censor: (value: unknown) => (typeof value === 'string' ? maskPersonalIds(value) === value ? '[redacted]' : maskPersonalIds(value) : '[redacted]'),
    },
    serializers: {
      req: (req: { method: string; url: string; id?: string }) => ({ method: req.method, url: maskPersonalIds(req.url), id: req.id }),
      err: pino.stdSerializers.err,
    },
  };
  return options.destination ? pino(config, options.destination) : pino(config);
}
