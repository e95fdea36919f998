/**
 * The identifier rules of DESIGN §9 as class-validator decorators, so a bad number joins the one
 * 400 with every other problem of the body. Contexts use these; none declares its own.
 */
import { buildMessage, ValidateBy, type ValidationOptions } from 'class-validator';
import { isValidOrgNumber } from './org-number.js';
import { isValidPersonNumber } from './person-number.js';
import { isUuid } from './uuid.js';

function rule(
  name: string,
  test: (value: unknown) => boolean,
  what: string,
  options?: ValidationOptions,
): PropertyDecorator {
  return ValidateBy(
    {
      name,
      validator: {
        validate: (value: unknown) => test(value),
        defaultMessage: buildMessage((each) => `${each}$property must be ${what}`, options),
      },
    },
    options,
  );
}

/** A checksum-valid Norwegian organisation number: 9 digits, mod-11 check digit. */
export function IsOrgNumber(options?: ValidationOptions): PropertyDecorator {
  return rule(
    'isOrgNumber',
    isValidOrgNumber,
    'a valid Norwegian organisation number (9 digits, mod-11 check digit)',
    options,
  );
}

/** A checksum-valid national identity number or D-number (11 digits, two check digits). */
export function IsPersonNumber(options?: ValidationOptions): PropertyDecorator {
  return rule('isPersonNumber', isValidPersonNumber, 'a valid 11-digit national identity number', options);
}

/** A UUID in the canonical 8-4-4-4-12 layout (see `isUuid` for why no version is required). */
export function IsUuid(options?: ValidationOptions): PropertyDecorator {
  return rule('isUuid', isUuid, 'a UUID', options);
}
