/** Longest accepted assertion lifetime, `exp − iat` (Maskinporten: 120 s). */
export const MAX_ASSERTION_LIFETIME_SECONDS = 120;
/** How far `iat` may be from our clock, either way. */
export const ASSERTION_IAT_SKEW_SECONDS = 10;
