/**
 * The portal's own words in the three official languages (DESIGN §4.8). Consent wording comes
 * from the template and the resource; these are only the page chrome, buttons and messages.
 * Every language has every key (the type enforces it), so a page never falls back silently.
 */
import type { ConsentStatus } from '../consents/consent.record.js';

export const LANGS = ['nb', 'nn', 'en'] as const;
export type Lang = (typeof LANGS)[number];
export const DEFAULT_LANG: Lang = 'nb';

/** `?lang=` / hidden `lang` field; anything else reads as the default (never an error). */
export function parseLang(value: unknown): Lang {
  return typeof value === 'string' && (LANGS as readonly string[]).includes(value)
    ? (value as Lang)
    : DEFAULT_LANG;
}

/** Names of the languages in themselves, for the switcher (WCAG 3.1.2: marked with their own `lang`). */
export const LANGUAGE_NAMES: Record<Lang, string> = { nb: 'Bokmål', nn: 'Nynorsk', en: 'English' };

/** BCP 47 locale for dates. */
export const LOCALES: Record<Lang, string> = { nb: 'nb-NO', nn: 'nn-NO', en: 'en-GB' };

const nb = {
  siteName: 'Samtykke',
  skipToContent: 'Hopp til hovedinnhold',
  languageNav: 'Velg språk',
  loggedInAs: 'Innlogget som',
  logout: 'Logg ut',
  myConsents: 'Mine samtykker',
  requestedBy: 'Forespurt av',
  handledBy: 'Behandles av',
  concerns: 'Gjelder',
  you: 'deg',
  orgNo: 'org.nr.',
  messageFrom: 'Melding fra',
  rightsHeading: 'Dette samtykker du til',
  validity: 'Varighet',
  decisionHeading: 'Ditt svar',
  accept: 'Godta',
  reject: 'Avvis',
  viewReceipt: 'Se kvittering',
  // login
  loginTitle: 'Logg inn',
  loginIntro: 'Logg inn for å se og svare på forespørsler om samtykke.',
  devLoginHeading: 'Innlogging for utvikling og test',
  devLoginHint: 'Kun for utvikling: skriv inn et fødselsnummer (11 siffer). Det finnes ikke noe passord.',
  pidLabel: 'Fødselsnummer (11 siffer)',
  loginSubmit: 'Logg inn',
  oidcLogin: 'Logg inn med ID-porten',
  errorSummary: 'Det er en feil i skjemaet',
  pidInvalid: 'Fødselsnummeret er ikke gyldig. Sjekk at du har skrevet alle 11 sifrene riktig.',
  // active
  activeTitle: 'Mine samtykker',
  activeIntro: 'Samtykker du har gitt, og samtykker for organisasjoner du kan handle på vegne av.',
  activeSection: 'Aktive samtykker',
  pendingSection: 'Venter på svar',
  earlierSection: 'Tidligere samtykker og forespørsler',
  noActive: 'Du har ingen aktive samtykker.',
  noPending: 'Ingen forespørsler venter på svar.',
  noEarlier: 'Ingen tidligere samtykker.',
  given: 'Gitt',
  validTo: 'Gyldig til',
  oneTime: 'Engangssamtykke',
  statusLabel: 'Status',
  revoke: 'Trekk tilbake',
  revokeLabel: 'Trekk tilbake samtykket til',
  answer: 'Se og svar',
  revokedNotice: 'Samtykket er trukket tilbake.',
  // receipt
  receiptTitle: 'Kvittering for samtykke',
  receiptIntro: 'Dette er teksten slik den ble vist da samtykket ble gitt.',
  acceptedAt: 'Godtatt',
  acceptedBy: 'Godtatt av',
  receiptLanguage: 'Språk',
  templateVersion: 'Malversjon',
  resourceVersions: 'Ressursversjoner',
  backToList: 'Tilbake til mine samtykker',
  // errors
  forbiddenTitle: 'Du har ikke tilgang',
  forbiddenText:
    'Du kan ikke se eller svare på denne forespørselen. Den gjelder en annen person eller en organisasjon du ikke har rettigheter for.',
  notFoundTitle: 'Fant ikke siden',
  notFoundText: 'Vi fant ikke det du lette etter. Sjekk at lenken er riktig.',
  csrfTitle: 'Skjemaet er utløpt',
  csrfText:
    'Av sikkerhetshensyn ble handlingen stoppet, og ingenting er endret. Gå tilbake, last inn siden på nytt og prøv igjen.',
  conflictTitle: 'Forespørselen kan ikke besvares',
  conflictText: 'Forespørselen har endret status og kan ikke lenger besvares. Ingenting er endret.',
  errorTitle: 'Noe gikk galt',
  errorText: 'Det oppstod en feil hos oss. Prøv igjen senere.',
  loginUnavailable: 'Innlogging er ikke tilgjengelig.',
  loginFailedTitle: 'Innloggingen mislyktes',
  loginFailedText: 'Vi kunne ikke logge deg inn. Prøv igjen.',
  goToLogin: 'Gå til innlogging',
  goHome: 'Gå til mine samtykker',
};

type Strings = typeof nb;

const nn: Strings = {
  siteName: 'Samtykke',
  skipToContent: 'Hopp til hovudinnhaldet',
  languageNav: 'Vel språk',
  loggedInAs: 'Innlogga som',
  logout: 'Logg ut',
  myConsents: 'Samtykka mine',
  requestedBy: 'Førespurd av',
  handledBy: 'Handsama av',
  concerns: 'Gjeld',
  you: 'deg',
  orgNo: 'org.nr.',
  messageFrom: 'Melding frå',
  rightsHeading: 'Dette samtykkjer du til',
  validity: 'Varigheit',
  decisionHeading: 'Svaret ditt',
  accept: 'Godta',
  reject: 'Avvis',
  viewReceipt: 'Sjå kvittering',
  loginTitle: 'Logg inn',
  loginIntro: 'Logg inn for å sjå og svare på førespurnader om samtykke.',
  devLoginHeading: 'Innlogging for utvikling og test',
  devLoginHint: 'Berre for utvikling: skriv inn eit fødselsnummer (11 siffer). Det finst ikkje noko passord.',
  pidLabel: 'Fødselsnummer (11 siffer)',
  loginSubmit: 'Logg inn',
  oidcLogin: 'Logg inn med ID-porten',
  errorSummary: 'Det er ein feil i skjemaet',
  pidInvalid: 'Fødselsnummeret er ikkje gyldig. Sjekk at du har skrive alle dei 11 sifra rett.',
  activeTitle: 'Samtykka mine',
  activeIntro: 'Samtykke du har gitt, og samtykke for organisasjonar du kan handle på vegner av.',
  activeSection: 'Aktive samtykke',
  pendingSection: 'Ventar på svar',
  earlierSection: 'Tidlegare samtykke og førespurnader',
  noActive: 'Du har ingen aktive samtykke.',
  noPending: 'Ingen førespurnader ventar på svar.',
  noEarlier: 'Ingen tidlegare samtykke.',
  given: 'Gitt',
  validTo: 'Gyldig til',
  oneTime: 'Eingongssamtykke',
  statusLabel: 'Status',
  revoke: 'Trekk tilbake',
  revokeLabel: 'Trekk tilbake samtykket til',
  answer: 'Sjå og svar',
  revokedNotice: 'Samtykket er trekt tilbake.',
  receiptTitle: 'Kvittering for samtykke',
  receiptIntro: 'Dette er teksten slik han vart vist då samtykket vart gitt.',
  acceptedAt: 'Godteke',
  acceptedBy: 'Godteke av',
  receiptLanguage: 'Språk',
  templateVersion: 'Malversjon',
  resourceVersions: 'Ressursversjonar',
  backToList: 'Tilbake til samtykka mine',
  forbiddenTitle: 'Du har ikkje tilgang',
  forbiddenText:
    'Du kan ikkje sjå eller svare på denne førespurnaden. Han gjeld ein annan person eller ein organisasjon du ikkje har rettar for.',
  notFoundTitle: 'Fann ikkje sida',
  notFoundText: 'Vi fann ikkje det du leitte etter. Sjekk at lenkja er rett.',
  csrfTitle: 'Skjemaet har gått ut',
  csrfText:
    'Av omsyn til tryggleiken vart handlinga stoppa, og ingenting er endra. Gå tilbake, last inn sida på nytt og prøv igjen.',
  conflictTitle: 'Førespurnaden kan ikkje svarast på',
  conflictText: 'Førespurnaden har endra status og kan ikkje lenger svarast på. Ingenting er endra.',
  errorTitle: 'Noko gjekk gale',
  errorText: 'Det oppstod ein feil hos oss. Prøv igjen seinare.',
  loginUnavailable: 'Innlogging er ikkje tilgjengeleg.',
  loginFailedTitle: 'Innlogginga mislukkast',
  loginFailedText: 'Vi kunne ikkje logge deg inn. Prøv igjen.',
  goToLogin: 'Gå til innlogging',
  goHome: 'Gå til samtykka mine',
};

const en: Strings = {
  siteName: 'Consent',
  skipToContent: 'Skip to main content',
  languageNav: 'Choose language',
  loggedInAs: 'Logged in as',
  logout: 'Log out',
  myConsents: 'My consents',
  requestedBy: 'Requested by',
  handledBy: 'Handled by',
  concerns: 'Concerns',
  you: 'you',
  orgNo: 'org. no.',
  messageFrom: 'Message from',
  rightsHeading: 'What you consent to',
  validity: 'Duration',
  decisionHeading: 'Your answer',
  accept: 'Accept',
  reject: 'Reject',
  viewReceipt: 'View receipt',
  loginTitle: 'Log in',
  loginIntro: 'Log in to see and answer consent requests.',
  devLoginHeading: 'Login for development and testing',
  devLoginHint: 'Development only: enter a national identity number (11 digits). There is no password.',
  pidLabel: 'National identity number (11 digits)',
  loginSubmit: 'Log in',
  oidcLogin: 'Log in with ID-porten',
  errorSummary: 'There is a problem',
  pidInvalid: 'The national identity number is not valid. Check that you typed all 11 digits correctly.',
  activeTitle: 'My consents',
  activeIntro: 'Consents you have given, and consents for organisations you can act for.',
  activeSection: 'Active consents',
  pendingSection: 'Awaiting your answer',
  earlierSection: 'Earlier consents and requests',
  noActive: 'You have no active consents.',
  noPending: 'No requests are awaiting your answer.',
  noEarlier: 'No earlier consents.',
  given: 'Given',
  validTo: 'Valid until',
  oneTime: 'One-time consent',
  statusLabel: 'Status',
  revoke: 'Withdraw',
  revokeLabel: 'Withdraw the consent to',
  answer: 'View and answer',
  revokedNotice: 'The consent has been withdrawn.',
  receiptTitle: 'Consent receipt',
  receiptIntro: 'This is the text as it was shown when the consent was given.',
  acceptedAt: 'Accepted',
  acceptedBy: 'Accepted by',
  receiptLanguage: 'Language',
  templateVersion: 'Template version',
  resourceVersions: 'Resource versions',
  backToList: 'Back to my consents',
  forbiddenTitle: 'You do not have access',
  forbiddenText:
    'You cannot view or answer this request. It concerns another person, or an organisation you have no rights for.',
  notFoundTitle: 'Page not found',
  notFoundText: 'We could not find what you were looking for. Check that the link is correct.',
  csrfTitle: 'The form has expired',
  csrfText:
    'For your security the action was stopped, and nothing has changed. Go back, reload the page and try again.',
  conflictTitle: 'The request cannot be answered',
  conflictText: 'The request has changed status and can no longer be answered. Nothing has changed.',
  errorTitle: 'Something went wrong',
  errorText: 'An error occurred on our side. Please try again later.',
  loginUnavailable: 'Login is not available.',
  loginFailedTitle: 'Login failed',
  loginFailedText: 'We could not log you in. Please try again.',
  goToLogin: 'Go to login',
  goHome: 'Go to my consents',
};

export type UiStrings = Strings;
export const UI: Record<Lang, UiStrings> = { nb, nn, en };

/** How a consent's status reads in lists. */
export const STATUS_NAMES: Record<Lang, Record<ConsentStatus, string>> = {
  nb: {
    created: 'Venter på svar',
    accepted: 'Aktivt',
    rejected: 'Avvist',
    revoked: 'Trukket tilbake',
    deleted: 'Kansellert',
    expired: 'Utløpt',
    used: 'Brukt',
  },
  nn: {
    created: 'Ventar på svar',
    accepted: 'Aktivt',
    rejected: 'Avvist',
    revoked: 'Trekt tilbake',
    deleted: 'Kansellert',
    expired: 'Gått ut',
    used: 'Brukt',
  },
  en: {
    created: 'Awaiting answer',
    accepted: 'Active',
    rejected: 'Rejected',
    revoked: 'Withdrawn',
    deleted: 'Cancelled',
    expired: 'Expired',
    used: 'Used',
  },
};

/** What the request page says instead of the buttons once the request is no longer `created`. */
export const STATUS_NOTICES: Record<Lang, Record<Exclude<ConsentStatus, 'created'>, string>> = {
  nb: {
    accepted: 'Du har allerede godtatt denne forespørselen. Samtykket er aktivt.',
    rejected: 'Denne forespørselen er avvist.',
    revoked: 'Samtykket er trukket tilbake og gjelder ikke lenger.',
    deleted: 'Forespørselen er kansellert av den som ba om samtykke, og kan ikke besvares.',
    expired: 'Forespørselen er utløpt og kan ikke lenger besvares.',
    used: 'Engangssamtykket er brukt og gjelder ikke lenger.',
  },
  nn: {
    accepted: 'Du har alt godteke denne førespurnaden. Samtykket er aktivt.',
    rejected: 'Denne førespurnaden er avvist.',
    revoked: 'Samtykket er trekt tilbake og gjeld ikkje lenger.',
    deleted: 'Førespurnaden er kansellert av den som bad om samtykke, og kan ikkje svarast på.',
    expired: 'Førespurnaden har gått ut og kan ikkje lenger svarast på.',
    used: 'Eingongssamtykket er brukt og gjeld ikkje lenger.',
  },
  en: {
    accepted: 'You have already accepted this request. The consent is active.',
    rejected: 'This request has been rejected.',
    revoked: 'The consent has been withdrawn and no longer applies.',
    deleted: 'The request was cancelled by the organisation that asked for consent, and cannot be answered.',
    expired: 'The request has expired and can no longer be answered.',
    used: 'The one-time consent has been used and no longer applies.',
  },
};

/** A date and time in Norway's time zone, as people there read it. */
export function formatDateTime(date: Date, lang: Lang): string {
  return new Intl.DateTimeFormat(LOCALES[lang], {
    dateStyle: 'long',
    timeStyle: 'short',
    timeZone: 'Europe/Oslo',
  }).format(date);
}
