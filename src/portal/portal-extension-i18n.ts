/**
 * The words of extending a consent (beyond Altinn): the consent card's notice, the page that
 * shows the old and the new terms, and the versions on the receipt, in nb, nn and en. Kept in a
 * file of its own so the other dictionaries stay as they are. `{x}` is filled in by `fill`.
 */
import { Dictionary } from '../common/i18n/dictionary.js';

const nb = {
  cardNotice: '{consumer} ber om å forlenge samtykket til {validTo}.',
  cardAction: 'Se forespørselen om forlengelse',
  pendingTag: 'Forlengelse ønsket',
  pageTitle: 'Vil du forlenge samtykket?',
  pageIntro:
    '{consumer} ber om å få bruke samtykket ditt lenger. Det er det samme samtykket, med samme innhold; bare sluttdatoen endres. Sier du nei, gjelder samtykket som før til {oldValidTo}.',
  whatChanges: 'Dette endres',
  term: 'Vilkår',
  now: 'Nå',
  after: 'Hvis du sier ja',
  validToRow: 'Gyldig til',
  unchanged: 'Uendret',
  rightsRow: 'Hva samtykket gjelder',
  newText: 'Teksten du sier ja til',
  approve: 'Forleng samtykket',
  decline: 'Nei, ikke forleng',
  approved: 'Samtykket er forlenget til {validTo}.',
  declined: 'Du sa nei til å forlenge samtykket. Det gjelder som før til {validTo}.',
  notPending: 'Forespørselen om forlengelse er ikke lenger åpen.',
  noLongerAllowed:
    'Forlengelsen kan ikke godkjennes lenger: reglene til den som har opplysningene, er endret siden forespørselen ble sendt. Samtykket ditt gjelder som før.',
  versionsHeading: 'Versjoner',
  versionsIntro: 'Samtykket er forlenget. Hver versjon har sin egen kvittering.',
  versionLine: 'Versjon {version}: gyldig til {validTo}, godtatt {acceptedAt}',
  thisVersion: 'denne kvitteringen',
  receiptVersion: 'Versjon',
};

type Strings = typeof nb;

const nn: Strings = {
  cardNotice: '{consumer} ber om å forlengje samtykket til {validTo}.',
  cardAction: 'Sjå førespurnaden om forlenging',
  pendingTag: 'Forlenging ønskt',
  pageTitle: 'Vil du forlengje samtykket?',
  pageIntro:
    '{consumer} ber om å få bruke samtykket ditt lenger. Det er det same samtykket, med same innhald; berre sluttdatoen blir endra. Seier du nei, gjeld samtykket som før til {oldValidTo}.',
  whatChanges: 'Dette blir endra',
  term: 'Vilkår',
  now: 'No',
  after: 'Viss du seier ja',
  validToRow: 'Gyldig til',
  unchanged: 'Uendra',
  rightsRow: 'Kva samtykket gjeld',
  newText: 'Teksten du seier ja til',
  approve: 'Forleng samtykket',
  decline: 'Nei, ikkje forleng',
  approved: 'Samtykket er forlengt til {validTo}.',
  declined: 'Du sa nei til å forlengje samtykket. Det gjeld som før til {validTo}.',
  notPending: 'Førespurnaden om forlenging er ikkje lenger open.',
  noLongerAllowed:
    'Forlenginga kan ikkje godkjennast lenger: reglane til den som har opplysningane, er endra sidan førespurnaden vart send. Samtykket ditt gjeld som før.',
  versionsHeading: 'Versjonar',
  versionsIntro: 'Samtykket er forlengt. Kvar versjon har si eiga kvittering.',
  versionLine: 'Versjon {version}: gyldig til {validTo}, godteken {acceptedAt}',
  thisVersion: 'denne kvitteringa',
  receiptVersion: 'Versjon',
};

const en: Strings = {
  cardNotice: '{consumer} asks to extend this consent until {validTo}.',
  cardAction: 'See the request to extend',
  pendingTag: 'Extension requested',
  pageTitle: 'Do you want to extend the consent?',
  pageIntro:
    '{consumer} asks to use your consent for longer. It is the same consent with the same content; only the end date changes. If you say no, the consent stays as it is until {oldValidTo}.',
  whatChanges: 'What changes',
  term: 'Term',
  now: 'Now',
  after: 'If you say yes',
  validToRow: 'Valid until',
  unchanged: 'Unchanged',
  rightsRow: 'What the consent covers',
  newText: 'The text you agree to',
  approve: 'Extend the consent',
  decline: 'No, do not extend',
  approved: 'The consent is extended until {validTo}.',
  declined: 'You declined to extend the consent. It stays valid until {validTo}.',
  notPending: 'The request to extend is no longer open.',
  noLongerAllowed:
    'The extension can no longer be approved: the rules of the organisation that holds the data have changed since it was asked for. Your consent stays as it was.',
  versionsHeading: 'Versions',
  versionsIntro: 'The consent has been extended. Each version has its own receipt.',
  versionLine: 'Version {version}: valid until {validTo}, accepted {acceptedAt}',
  thisVersion: 'this receipt',
  receiptVersion: 'Version',
};

export const EXTENSION_TEXTS = Dictionary.complete<Strings>({ nb, nn, en });
