import { ValidateBy, type ValidationOptions } from 'class-validator';
import { isValidOrgNumber, isValidPersonNumber } from '../../common/identifiers/index.js';

/** 9-digit Norwegian organisation number with a valid mod-11 check digit (DESIGN §9). */
export function IsOrgNumber(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isOrgNumber',
      validator: {
        validate: (v: unknown) => isValidOrgNumber(v),
        defaultMessage: (a) => `${a?.property ?? 'value'} must be a valid 9-digit organisation number`,
      },
    },
    options,
  );
}

/** 11-digit national identity number / D-number with valid check digits (DESIGN §9). */
export function IsPersonNumber(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isPersonNumber',
      validator: {
        validate: (v: unknown) => isValidPersonNumber(v),
        defaultMessage: (a) => `${a?.property ?? 'value'} must be a valid 11-digit national identity number`,
      },
    },
    options,
  );
}
