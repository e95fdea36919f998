/**
 * The words of the portal's frame (issue 21): header, footer, the operator's statement pages,
 * the dev-login hint, withdrawing, plain-language receipts and the usage log, in nb, nn and en.
 * Kept apart from portal-i18n.ts (the request and list pages) so neither file grows past reading.
 * `{operator}` in a text is replaced by the operator's name; a blank line separates paragraphs.
 */
import { Dictionary } from '../common/i18n/dictionary.js';

/** Valid synthetic (Tenor, month + 80) numbers: no real person has them. */
export const TEST_PERSON_NUMBERS = ['01889040706', '15857540015', '27929940062'] as const;

const nb = {
  serviceTagline: 'Se, gi og trekk tilbake samtykker til deling av opplysninger om deg',
  defaultOperator: 'driftsleverandøren av denne tjenesten',
  footerHeading: 'Om tjenesten',
  operatedBy: 'Tjenesten driftes av',
  contact: 'Kontakt oss',
  privacy: 'Personvernerklæring',
  accessibility: 'Tilgjengelighetserklæring',
  contactText: 'Har du spørsmål om samtykker du har gitt, kan du kontakte {operator}.',
  contactEmail: 'E-post',
  contactWeb: 'Nettside',
  contactFallback:
    'Spørsmål om et samtykke kan du også rette til organisasjonen som ba om det. Navn og organisasjonsnummer står på samtykket.',
  privacyText: [
    '{operator} er behandlingsansvarlig for opplysningene denne tjenesten lagrer.',
    'Vi lagrer hvilke samtykker som er bedt om, hva du har svart, teksten du ble vist, og når samtykket ble brukt. Vi bruker det bare for å vise deg samtykkene dine og for å kontrollere at virksomheter bare henter opplysninger du har samtykket til.',
    'Innloggingen bruker én informasjonskapsel (cookie) som er nødvendig for at tjenesten skal virke. Vi bruker ingen analyse- eller sporingsverktøy, og siden henter ingenting fra andre nettsteder.',
    'Du har rett til innsyn, retting og sletting etter personopplysningsloven, og du kan klage til Datatilsynet.',
  ].join('\n\n'),
  accessibilityText: [
    'Denne tjenesten skal oppfylle kravene i WCAG 2.1 nivå AA, som forskrift om universell utforming av IKT krever.',
    'Sidene er bygget med Designsystemet, virker uten JavaScript, kan brukes med bare tastatur og kan forstørres til 200 prosent og brukes på skjermer ned til 320 piksler bredde.',
    'Hvert skjermbilde testes automatisk med axe-core. Finner du noe som ikke virker, vil vi gjerne høre fra deg.',
    'Du kan også melde fra til Tilsynet for universell utforming av IKT (uutilsynet.no).',
  ].join('\n\n'),
  devLoginPersons: 'Syntetiske testpersoner du kan bruke:',
  // withdrawing
  withdrawTitle: 'Vil du trekke tilbake samtykket?',
  withdrawWhatStops:
    'Når du trekker tilbake samtykket, kan {consumer} ikke lenger hente opplysningene med dette samtykket. Det gjelder fra neste forespørsel.',
  withdrawAlreadyFetched:
    'Opplysninger som allerede er hentet, blir ikke slettet automatisk. Vil du at de skal slettes, må du kontakte {consumer}.',
  withdrawConfirm: 'Ja, trekk tilbake samtykket',
  withdrawCancel: 'Nei, gå tilbake',
  withdrawnAt: 'Trukket tilbake',
  expiredAt: 'Utløpt',
  usedAt: 'Brukt',
  // cards and receipts
  details: 'Opplysninger',
  onBehalfOf: 'På vegne av',
  dataHeldBy: 'Opplysningene hentes fra',
  via: 'via',
  person: 'fødselsnr.',
  receiptPlainIntro:
    'Kvitteringen viser hva du samtykket til, hvem som fikk samtykket og når. Teksten under er nøyaktig den du ble vist.',
  receiptWhat: 'Samtykke til',
  receiptParties: 'Hvem',
  receiptWhen: 'Når',
  receiptText: 'Teksten du godtok',
  receiptShownIn: 'Vist på',
  print: 'Skriv ut',
  downloadSigned: 'Last ned signert kvittering',
  downloadSignedHint:
    'Den signerte kvitteringen er en fil du kan ta vare på. Hvem som helst kan kontrollere at den er utstedt av denne tjenesten og ikke endret.',
  // usage
  usageHeading: 'Bruk',
  usageNone: 'Ikke brukt ennå.',
  usageSummary: 'Brukt {count} ganger, sist {last}',
  usageOnce: 'Brukt 1 gang, {last}',
  usageBy: 'av {consumer} mot {api}',
};

type Strings = typeof nb;

const nn: Strings = {
  serviceTagline: 'Sjå, gi og trekk tilbake samtykke til deling av opplysningar om deg',
  defaultOperator: 'driftsleverandøren av denne tenesta',
  footerHeading: 'Om tenesta',
  operatedBy: 'Tenesta vert driven av',
  contact: 'Kontakt oss',
  privacy: 'Personvernerklæring',
  accessibility: 'Tilgjengeerklæring',
  contactText: 'Har du spørsmål om samtykke du har gitt, kan du kontakte {operator}.',
  contactEmail: 'E-post',
  contactWeb: 'Nettstad',
  contactFallback:
    'Spørsmål om eit samtykke kan du òg rette til organisasjonen som bad om det. Namn og organisasjonsnummer står på samtykket.',
  privacyText: [
    '{operator} er behandlingsansvarleg for opplysningane denne tenesta lagrar.',
    'Vi lagrar kva samtykke som er bedne om, kva du har svart, teksten du fekk sjå, og når samtykket vart brukt. Vi brukar det berre for å vise deg samtykka dine og for å kontrollere at verksemder berre hentar opplysningar du har samtykt til.',
    'Innlogginga brukar éin informasjonskapsel (cookie) som er naudsynt for at tenesta skal verke. Vi brukar ingen analyse- eller sporingsverktøy, og sida hentar ingenting frå andre nettstader.',
    'Du har rett til innsyn, retting og sletting etter personopplysningslova, og du kan klage til Datatilsynet.',
  ].join('\n\n'),
  accessibilityText: [
    'Denne tenesta skal oppfylle krava i WCAG 2.1 nivå AA, som forskrift om universell utforming av IKT krev.',
    'Sidene er bygde med Designsystemet, verkar utan JavaScript, kan brukast med berre tastatur og kan forstørrast til 200 prosent og brukast på skjermar ned til 320 pikslar breidd.',
    'Kvart skjermbilete vert testa automatisk med axe-core. Finn du noko som ikkje verkar, vil vi gjerne høyre frå deg.',
    'Du kan òg melde frå til Tilsynet for universell utforming av IKT (uutilsynet.no).',
  ].join('\n\n'),
  devLoginPersons: 'Syntetiske testpersonar du kan bruke:',
  withdrawTitle: 'Vil du trekkje tilbake samtykket?',
  withdrawWhatStops:
    'Når du trekkjer tilbake samtykket, kan {consumer} ikkje lenger hente opplysningane med dette samtykket. Det gjeld frå neste førespurnad.',
  withdrawAlreadyFetched:
    'Opplysningar som alt er henta, vert ikkje sletta automatisk. Vil du at dei skal slettast, må du kontakte {consumer}.',
  withdrawConfirm: 'Ja, trekk tilbake samtykket',
  withdrawCancel: 'Nei, gå tilbake',
  withdrawnAt: 'Trekt tilbake',
  expiredAt: 'Gått ut',
  usedAt: 'Brukt',
  details: 'Opplysningar',
  onBehalfOf: 'På vegner av',
  dataHeldBy: 'Opplysningane vert henta frå',
  via: 'via',
  person: 'fødselsnr.',
  receiptPlainIntro:
    'Kvitteringa viser kva du samtykte til, kven som fekk samtykket og når. Teksten under er nøyaktig den du fekk sjå.',
  receiptWhat: 'Samtykke til',
  receiptParties: 'Kven',
  receiptWhen: 'Når',
  receiptText: 'Teksten du godtok',
  receiptShownIn: 'Vist på',
  print: 'Skriv ut',
  downloadSigned: 'Last ned signert kvittering',
  downloadSignedHint:
    'Den signerte kvitteringa er ei fil du kan ta vare på. Kven som helst kan kontrollere at ho er utferda av denne tenesta og ikkje endra.',
  usageHeading: 'Bruk',
  usageNone: 'Ikkje brukt enno.',
  usageSummary: 'Brukt {count} gonger, sist {last}',
  usageOnce: 'Brukt 1 gong, {last}',
  usageBy: 'av {consumer} mot {api}',
};

const en: Strings = {
  serviceTagline: 'See, give and withdraw consent to share information about you',
  defaultOperator: 'the operator of this service',
  footerHeading: 'About this service',
  operatedBy: 'This service is operated by',
  contact: 'Contact us',
  privacy: 'Privacy statement',
  accessibility: 'Accessibility statement',
  contactText: 'If you have questions about consents you have given, contact {operator}.',
  contactEmail: 'Email',
  contactWeb: 'Website',
  contactFallback:
    'You can also ask the organisation that requested a consent. Its name and organisation number are shown on the consent.',
  privacyText: [
    '{operator} is the controller of the information this service stores.',
    'We store which consents were requested, what you answered, the text you were shown, and when a consent was used. We use it only to show you your consents and to check that organisations fetch only what you consented to.',
    'Logging in uses one cookie, which the service needs to work. We use no analytics or tracking, and the pages load nothing from other websites.',
    'You have the right of access, rectification and erasure under the Personal Data Act, and you may complain to the Norwegian Data Protection Authority (Datatilsynet).',
  ].join('\n\n'),
  accessibilityText: [
    'This service aims to meet WCAG 2.1 level AA, as the Norwegian regulation on universal design of ICT requires.',
    'The pages are built with Designsystemet, work without JavaScript, can be used with a keyboard alone, can be zoomed to 200 per cent and used on screens down to 320 pixels wide.',
    'Every page is tested automatically with axe-core. If you find something that does not work, please tell us.',
    'You can also report to the Norwegian Authority for Universal Design of ICT (uutilsynet.no).',
  ].join('\n\n'),
  devLoginPersons: 'Synthetic test persons you can use:',
  withdrawTitle: 'Do you want to withdraw the consent?',
  withdrawWhatStops:
    'When you withdraw the consent, {consumer} can no longer fetch the information under this consent, from its next request on.',
  withdrawAlreadyFetched:
    'Information already fetched is not deleted automatically. If you want it deleted, contact {consumer}.',
  withdrawConfirm: 'Yes, withdraw the consent',
  withdrawCancel: 'No, go back',
  withdrawnAt: 'Withdrawn',
  expiredAt: 'Expired',
  usedAt: 'Used',
  details: 'Details',
  onBehalfOf: 'On behalf of',
  dataHeldBy: 'The information is fetched from',
  via: 'via',
  person: 'national ID no.',
  receiptPlainIntro:
    'The receipt shows what you consented to, who received the consent and when. The text below is exactly the text you were shown.',
  receiptWhat: 'Consent to',
  receiptParties: 'Who',
  receiptWhen: 'When',
  receiptText: 'The text you accepted',
  receiptShownIn: 'Shown in',
  print: 'Print',
  downloadSigned: 'Download signed receipt',
  downloadSignedHint:
    'The signed receipt is a file you can keep. Anyone can check that this service issued it and that it has not been changed.',
  usageHeading: 'Use',
  usageNone: 'Not used yet.',
  usageSummary: 'Used {count} times, last {last}',
  usageOnce: 'Used once, {last}',
  usageBy: 'by {consumer} against {api}',
};

export type ChromeStrings = Strings;
export const CHROME = Dictionary.complete<ChromeStrings>({ nb, nn, en });

/** `text` with each `{key}` replaced (values are escaped later, by the template). */
export function fill(text: string, values: Record<string, string | number>): string {
  return text.replace(/\{(\w+)\}/g, (m, key: string) => (key in values ? String(values[key]) : m));
}
