// Schemas shared by several routes, registered once with $id and referenced by routes.
import Type from 'typebox';

export const ErrorBody = Type.Object({
  code: Type.String(),
  message: Type.String(),
  details: Type.Unknown(),
}, { $id: 'Error' });

export const Agency = Type.Object({
  code: Type.String(),
  name: Type.String(),
  parentCode: Type.Union([Type.String(), Type.Null()]),
  level: Type.Integer(),
  activeFrom: Type.String({ format: 'date' }),
  activeTo: Type.Union([Type.String({ format: 'date' }), Type.Null()]),
  successorCode: Type.Union([Type.String(), Type.Null()]),
}, { $id: 'Agency' });

export const sharedSchemas = [ErrorBody, Agency];

export const errorResponses = {
  400: Type.Ref('Error'), 401: Type.Ref('Error'), 403: Type.Ref('Error'), 404: Type.Ref('Error'),
  409: Type.Ref('Error'), 413: Type.Ref('Error'), 422: Type.Ref('Error'),
};

/** A date column as YYYY-MM-DD. */
export const isoDate = (d: Date | null): string | null => (d ? d.toISOString().slice(0, 10) : null);
