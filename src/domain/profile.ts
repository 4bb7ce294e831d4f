// The profile and record of NATIONAL_API.md §6 in one import: vocabularies, schemas and types, the
// normal form, validation, canonical JSON and the content hash. Each concern lives in its own module.

export * from './profile-enums.ts';
export * from './profile-schema.ts';
export * from './profile-normalize.ts';
export * from './profile-validate.ts';
export * from './record-validate.ts';
export * from './canonical.ts';
export * from './decimal-text.ts';
export type { IssueCode, IssueReason, Issue } from './schema-check.ts';
