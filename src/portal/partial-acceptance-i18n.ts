/**
 * The portal's words for partial acceptance (beyond Altinn; docs/consent-lifecycle.md), apart
 * from portal-i18n.ts so the feature's texts stay together. Every language has every key.
 */
import { Dictionary } from '../common/i18n/dictionary.js';

const nb = {
  legend: 'Velg hva du samtykker til',
  hint: 'Du kan godta noe av dette og avslå resten. Det du ikke krysser av, blir avslått.',
  required: 'Påkrevd',
  requiredHint: 'Forespørselen kan bare godtas med denne.',
  acceptChosen: 'Godta valgte',
  rejectAll: 'Avvis alt',
  nothingChosen: 'Velg minst én, eller avvis forespørselen.',
  requiredMissing: '«{title}» er påkrevd: forespørselen kan bare godtas med den.',
  invalidChoice: 'Skjemaet passet ikke med forespørselen. Velg på nytt.',
  accepted: 'Godtatt',
  declined: 'Avslått',
  summary: 'Du godtok {accepted} av {total}. Det som er avslått, får {consumer} ikke tilgang til.',
};

type PartialTexts = typeof nb;

export const PARTIAL = Dictionary.complete<PartialTexts>({
  nb,
  nn: {
    legend: 'Vel kva du samtykkjer til',
    hint: 'Du kan godta noko av dette og avslå resten. Det du ikkje kryssar av, blir avslått.',
    required: 'Påkravd',
    requiredHint: 'Førespurnaden kan berre godtakast med denne.',
    acceptChosen: 'Godta valde',
    rejectAll: 'Avvis alt',
    nothingChosen: 'Vel minst éin, eller avvis førespurnaden.',
    requiredMissing: '«{title}» er påkravd: førespurnaden kan berre godtakast med den.',
    invalidChoice: 'Skjemaet passa ikkje med førespurnaden. Vel på nytt.',
    accepted: 'Godteke',
    declined: 'Avslått',
    summary: 'Du godtok {accepted} av {total}. Det som er avslått, får ikkje {consumer} tilgang til.',
  },
  en: {
    legend: 'Choose what you consent to',
    hint: 'You may accept some of this and decline the rest. Whatever you leave unticked is declined.',
    required: 'Required',
    requiredHint: 'The request can only be accepted with this.',
    acceptChosen: 'Accept selected',
    rejectAll: 'Reject all',
    nothingChosen: 'Choose at least one, or reject the request.',
    requiredMissing: '“{title}” is required: the request can only be accepted with it.',
    invalidChoice: 'The form did not match the request. Please choose again.',
    accepted: 'Accepted',
    declined: 'Declined',
    summary: 'You accepted {accepted} of {total}. {consumer} gets no access to what you declined.',
  },
});
