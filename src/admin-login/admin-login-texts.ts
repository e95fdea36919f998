/** The admin login's texts, in the portal's three languages (nb complete, nn and en too). */
import { Dictionary } from '../common/i18n/dictionary.js';

const nb = {
  siteName: 'Samtykke – administrasjon',
  skipToContent: 'Gå til hovedinnhold',
  loggedInAs: 'Logget inn som',
  chooseTitle: 'Velg virksomhet',
  chooseIntro: 'Du er administrator for disse virksomhetene. Velg hvem du vil handle på vegne av.',
  chooseLegend: 'Virksomhet',
  scopeNote: 'Tilgangen gjelder i kort tid, og alt du gjør blir logget med ditt navn.',
  continue: 'Fortsett',
  cancel: 'Avbryt',
  noRoleTitle: 'Du er ikke administrator for noen virksomhet',
  noRoleText:
    'For å logge inn her må du ha rollen hovedadministrator (HADM) eller tilgangsstyrer (ADMAI) for en virksomhet. Be virksomheten din om å gi deg rollen.',
  notAdminTitle: 'Du kan ikke handle for denne virksomheten',
  notAdminText: 'Du har ingen administratorrolle for virksomheten du valgte.',
  badLinkTitle: 'Ugyldig innloggingslenke',
  badLinkText:
    'Lenken som sendte deg hit er ikke gyldig (ukjent klient eller adresse å sende deg tilbake til). Gå tilbake og prøv igjen.',
  csrfTitle: 'Skjemaet er utløpt',
  csrfText: 'Skjemaet kunne ikke sendes. Start innloggingen på nytt.',
  loginAgain: 'Logg inn på nytt',
};

type Texts = typeof nb;

const nn: Partial<Texts> = {
  siteName: 'Samtykke – administrasjon',
  skipToContent: 'Gå til hovudinnhaldet',
  loggedInAs: 'Logga inn som',
  chooseTitle: 'Vel verksemd',
  chooseIntro: 'Du er administrator for desse verksemdene. Vel kven du vil handle på vegner av.',
  chooseLegend: 'Verksemd',
  scopeNote: 'Tilgangen gjeld i kort tid, og alt du gjer blir logga med namnet ditt.',
  continue: 'Hald fram',
  cancel: 'Avbryt',
  noRoleTitle: 'Du er ikkje administrator for nokon verksemd',
  notAdminTitle: 'Du kan ikkje handle for denne verksemda',
  badLinkTitle: 'Ugyldig innloggingslenkje',
  csrfTitle: 'Skjemaet har gått ut',
  loginAgain: 'Logg inn på nytt',
};

const en: Partial<Texts> = {
  siteName: 'Consent – administration',
  skipToContent: 'Skip to main content',
  loggedInAs: 'Logged in as',
  chooseTitle: 'Choose organisation',
  chooseIntro: 'You are an administrator of these organisations. Choose which one to act for.',
  chooseLegend: 'Organisation',
  scopeNote: 'Access is short-lived, and everything you do is logged under your name.',
  continue: 'Continue',
  cancel: 'Cancel',
  noRoleTitle: 'You are not an administrator of any organisation',
  noRoleText:
    'To log in here you need the main administrator (HADM) or access manager (ADMAI) role for an organisation. Ask your organisation to give you the role.',
  notAdminTitle: 'You cannot act for this organisation',
  notAdminText: 'You hold no administrator role for the organisation you chose.',
  badLinkTitle: 'Invalid login link',
  badLinkText:
    'The link that brought you here is not valid (unknown client or return address). Go back and try again.',
  csrfTitle: 'The form has expired',
  csrfText: 'The form could not be sent. Start the login again.',
  loginAgain: 'Log in again',
};

export const ADMIN_TEXTS = new Dictionary<Texts>({ nb, nn, en });
export type AdminTexts = Texts;
