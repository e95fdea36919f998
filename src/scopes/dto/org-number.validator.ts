import { buildMessage, ValidateBy, type ValidationOptions } from 'class-validator';
import { isValidOrgNumber } from '../../common/identifiers/org-number.js';

/** A checksum-valid Norwegian organisation number (DESIGN §9), as a DTO rule so it joins the one 400. */
export function IsOrgNumber(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isOrgNumber',
      validator: {
        validate: (value: unknown) => isValidOrgNumber(value),
        defaultMessage: buildMessage(
          (each) =>
            `${each}$property must be a valid Norwegian organisation number (9 digits, mod-11 check digit)`,
          options,
        ),
      },
    },
    options,
  );
}
