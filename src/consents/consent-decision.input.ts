/**
 * What a person's decision in the portal hands the consent services — who acts and the receipt
 * they were shown — checked the same way whether it accepts a consent or approves an extension.
 */
import { DomainError } from '../common/errors/domain-error.js';
import { isLang } from '../common/i18n/languages.js';
import { personUrn } from '../common/identifiers/party-urn.js';
import { isValidPersonNumber } from '../common/identifiers/person-number.js';
import type { ConsentRequest as ConsentRequestRow, Prisma } from '../generated/prisma/client.js';
import { INVALID_VALUE } from './consent-problems.js';
import type { ConsentReceiptInput } from './consent.record.js';

/** A 400 for input the portal itself got wrong (not the person's fault, so no Altinn code). */
export function badInput(detail: string): DomainError {
  return new DomainError(400, INVALID_VALUE, detail);
}

/** The acting person's URN; 400 when the portal hands a person without a valid number. */
export function personActor(actor: { personId: string }): string {
  if (!isValidPersonNumber(actor?.personId))
    throw badInput('The acting person must have a valid national identity number.');
  return personUrn(actor.personId);
}

/** The receipt's columns as stored with the decision: what the person saw, under which terms, when. */
export interface ReceiptColumns {
  language: ConsentReceiptInput['language'];
  html: string;
  text: Prisma.InputJsonValue;
  templateId: string;
  templateVersion: number;
  resourceVersions: Prisma.InputJsonValue;
  acceptedBy: string;
  acceptedAt: Date;
}

/** Checks the receipt before anything is read or written; returns how to store it for `row`. */
export function checkedReceipt(
  receipt: ConsentReceiptInput,
): (row: ConsentRequestRow, acceptedBy: string, acceptedAt: Date) => ReceiptColumns {
  if (!receipt || !isLang(receipt.language) || typeof receipt.html !== 'string')
    throw badInput('A receipt needs language nb, nn or en and the rendered html.');
  // A plain JSON copy: the text is stored as JSON, whatever object the caller built it from.
  const text = JSON.parse(JSON.stringify(receipt.text ?? null)) as Prisma.InputJsonValue;
  return (row, acceptedBy, acceptedAt) => ({
    language: receipt.language,
    html: receipt.html,
    text,
    templateId: row.templateId,
    templateVersion: row.templateVersion,
    resourceVersions: row.resourceVersions as Prisma.InputJsonValue,
    acceptedBy,
    acceptedAt,
  });
}
