/** What other contexts get from OwnersService (never a Prisma row). */
export interface LocalizedName {
  nb: string;
  nn: string;
  en: string;
}

export interface OwnerView {
  orgcode: string;
  orgNumber: string;
  name: LocalizedName;
  createdAt: string;
  updatedAt: string;
}

export interface OrgRoleView {
  orgNumber: string;
  personId: string;
  roles: string[];
  createdAt: string;
  updatedAt: string;
}

/** Org codes look like Altinn's (`skd`, `nav`, `ttd`): lowercase, starting with a letter. */
export const ORGCODE_PATTERN = /^[a-z][a-z0-9]{1,19}$/;
/** Role codes as in the Central Coordinating Register (`DAGL`, `LEDE`, `REGN` …). */
export const ROLE_CODE_PATTERN = /^[A-Z]{2,10}$/;
