/** What other contexts (and the register's controller) get from the organisation register. */
export interface OrganizationName {
  nb: string;
  nn?: string;
  en?: string;
}

export interface OrganizationView {
  orgNumber: string;
  name: OrganizationName;
  /** Enhetsregisteret's organisation form code (`AS`, `ORGL`, `BEDR` …), or null. */
  organizationForm: string | null;
  /** The main unit of a sub-unit (`overordnetEnhet`), or null. */
  parentOrgNumber: string | null;
  createdAt: string;
  updatedAt: string;
}

/** One organisation as written to the register (by PUT or by the bulk import). */
export interface OrganizationInput {
  orgNumber: string;
  name: OrganizationName;
  organizationForm?: string | null;
  parentOrgNumber?: string | null;
}

/** Organisation form codes as in Enhetsregisteret: 2-10 uppercase letters or digits. */
export const ORGANIZATION_FORM_PATTERN = /^[A-Z0-9]{2,10}$/;
export const ORGANIZATION_NAME_MAX = 300;
/** Rows per bulk import (one request or one CLI file is one transaction). */
export const IMPORT_MAX_ROWS = 20_000;
