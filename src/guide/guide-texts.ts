/**
 * The guide's own words, on the common i18n mechanism (common/i18n). The guide is written in
 * Bokmål and English; a Nynorsk reader gets the Bokmål page (the resource's own texts come from
 * the registry in all three languages).
 */
import { Dictionary } from '../common/i18n/dictionary.js';
import { negotiateLang } from '../common/i18n/languages.js';

export const GUIDE_LANGS = ['nb', 'en'] as const;
export type GuideLang = (typeof GUIDE_LANGS)[number];

/** `?lang=`, then `Accept-Language`, then Bokmål; Nynorsk reads the Bokmål page. Never an error. */
export function pickLang(query: unknown, acceptLanguage: string | undefined): GuideLang {
  return negotiateLang(GUIDE_LANGS, query, acceptLanguage);
}

const nb = {
  pageTitle: 'Integrasjonsveiledning',
  navLabel: 'Språk og format',
  otherLanguage: 'English',
  lead: 'Alt du som datakonsument trenger for å be om samtykke til denne ressursen og bruke det mot tjenesteeierens API.',
  jsonLink: 'Samme veiledning som JSON',
  owner: 'Tjenesteeier',
  orgNo: 'org.nr.',
  resourceId: 'Ressurs',
  oneTime: 'Engangssamtykke: det kan brukes i ett vellykket kall.',
  timeLimited: 'Tidsbegrenset samtykke: det kan brukes til det utløper eller trekkes tilbake.',
  step1: '1. Tilganger',
  scopesIntro: 'Organisasjonen din og klienten din trenger disse scopene:',
  scopeOwner: 'gis av tjenesteeieren',
  scopePlatform: 'gis av plattformoperatøren',
  accessListOn:
    'Ressursen krever at organisasjonen din står på tjenesteeierens tilgangsliste. Be om plass med POST /api/v1/access-requests eller kontakt tjenesteeieren.',
  accessListOff: 'Ressursen har ingen tilgangsliste: alle organisasjoner med scopene kan be om samtykke.',
  contact: 'Kontakt',
  step2: '2. Opprett samtykkeforespørsel',
  metadataIntro: 'Metadata som forespørselen må eller kan ha:',
  key: 'Nøkkel',
  required: 'Påkrevd',
  yes: 'ja',
  no: 'nei',
  noMetadata: 'Ressursen har ingen metadata.',
  requestIntro: 'Send denne kroppen (bytt ut id, from, to, validTo, metadataverdiene og redirectUrl):',
  requestAfter:
    'Svaret har viewUri: send sluttbrukeren dit. Følg status i hendelsesstrømmen eller med webhooks.',
  rolesIntro: 'Når samtykket gjelder en organisasjon, må personen som godtar ha en av disse rollene:',
  step3: '3. Hent token med samtykket',
  tokenIntro:
    'Lag en JWT signert med klientens nøkkel (kid) med dette hodet og disse claimene, og send den til',
  tokenAfter: 'Tokenet inneholder samtykket i authorization_details.',
  step4: '4. Kall API-et gjennom gatewayen',
  gatewayMissing: 'Tjenesteeieren har ennå ikke registrert et API som bruker denne ressursen.',
  gatewayUrl: 'Adresse',
  youSend: 'Du sender',
  upstreamGets: 'API-et mottar (satt av gatewayen)',
  header: 'Header',
  meaning: 'Betydning',
  notFoundTitle: 'Fant ikke ressursen',
  notFound: 'Det finnes ingen samtykkeressurs med denne identifikatoren.',
  hAuthorization: 'Bearer-tokenet fra steg 3.',
  hSubjectHeader:
    'Den registrerte (fødselsnummer, organisasjonsnummer eller part-URN); må være samtykkets from.',
  hSubjectQuery:
    'Spørreparameter: den registrerte (fødselsnummer, organisasjonsnummer eller part-URN); må være samtykkets from.',
  hConsentId: 'Samtykkets id.',
  hConsentFrom: 'Part-URN for den som ga samtykket.',
  hConsentTo: 'Part-URN for datakonsumenten.',
  hConsentMetadata: 'Samtykkets metadata som JSON.',
  hForwardedFor: 'IP-adressen kallet kom fra.',
  hForwardedProto: 'Protokollen kallet kom med (http eller https).',
  hRequestId: 'Kallets id (også i gatewayens logg).',
};

const en: typeof nb = {
  pageTitle: 'Integration guide',
  navLabel: 'Language and format',
  otherLanguage: 'Norsk (bokmål)',
  lead: 'Everything you, a data consumer, need to ask for consent to this resource and use it with the service owner’s API.',
  jsonLink: 'The same guide as JSON',
  owner: 'Service owner',
  orgNo: 'org. no.',
  resourceId: 'Resource',
  oneTime: 'One-time consent: it can be used for one successful call.',
  timeLimited: 'Time-limited consent: it can be used until it expires or is revoked.',
  step1: '1. Access',
  scopesIntro: 'Your organisation and your client need these scopes:',
  scopeOwner: 'granted by the service owner',
  scopePlatform: 'granted by the platform operator',
  accessListOn:
    'The resource requires your organisation to be on the service owner’s access list. Ask for a place with POST /api/v1/access-requests or contact the service owner.',
  accessListOff: 'The resource has no access list: any organisation with the scopes may ask for consent.',
  contact: 'Contact',
  step2: '2. Create a consent request',
  metadataIntro: 'Metadata the request must or may carry:',
  key: 'Key',
  required: 'Required',
  yes: 'yes',
  no: 'no',
  noMetadata: 'The resource has no metadata.',
  requestIntro: 'Send this body (replace id, from, to, validTo, the metadata values and redirectUrl):',
  requestAfter:
    'The answer has viewUri: send the end user there. Follow the status in the events feed or with webhooks.',
  rolesIntro: 'When the consent concerns an organisation, the person accepting must hold one of these roles:',
  step3: '3. Get a token with the consent',
  tokenIntro:
    'Make a JWT signed with your client’s key (kid) with this header and these claims, and send it to',
  tokenAfter: 'The token carries the consent in authorization_details.',
  step4: '4. Call the API through the gateway',
  gatewayMissing: 'The service owner has not registered an API that uses this resource yet.',
  gatewayUrl: 'Address',
  youSend: 'You send',
  upstreamGets: 'The API receives (set by the gateway)',
  header: 'Header',
  meaning: 'Meaning',
  notFoundTitle: 'Resource not found',
  notFound: 'There is no consent resource with this identifier.',
  hAuthorization: 'The bearer token from step 3.',
  hSubjectHeader:
    'The data subject (national identity number, organisation number or party URN); must be the consent’s from.',
  hSubjectQuery:
    'Query parameter: the data subject (national identity number, organisation number or party URN); must be the consent’s from.',
  hConsentId: 'The consent’s id.',
  hConsentFrom: 'Party URN of whoever gave the consent.',
  hConsentTo: 'Party URN of the data consumer.',
  hConsentMetadata: 'The consent’s metadata as JSON.',
  hForwardedFor: 'The IP address the call came from.',
  hForwardedProto: 'The protocol the call came with (http or https).',
  hRequestId: 'The call’s id (also in the gateway’s log).',
};

export type GuideTexts = typeof nb;
export const GUIDE_TEXTS = new Dictionary<GuideTexts>({ nb, en });
