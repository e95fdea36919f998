/**
 * How a context signs a document with the built-in issuer's key without importing `tokens`
 * (the same or a higher layer; docs/architecture.md rule 6). `tokens` provides DOCUMENT_SIGNER
 * globally; the portal signs consent receipts with it, verifiable against `GET /jwk`.
 */
export const DOCUMENT_SIGNER = Symbol('DocumentSigner');

export interface DocumentSigner {
  /** The issuer (`iss`) documents are signed as: the built-in issuer. */
  readonly issuer: string;
  /**
   * A compact JWS (RS256, `kid` of the current signing key) over `claims` plus `iss` and `iat`.
   * `typ` must name the document type (e.g. `consent-receipt+jwt`): the token verifier accepts
   * only access-token types, so a signed document can never pass as a bearer token.
   */
  signDocument(claims: Record<string, unknown>, typ: string): Promise<string>;
}
