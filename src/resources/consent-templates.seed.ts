import type { ConsentTemplateView } from './consent-template.view.js';

/**
 * The templates every installation starts with (DESIGN §4.2). A seeded version is never
 * changed in place: consents record the template version they were given under, so better
 * wording ships as a new version.
 *
 * Nynorsk uses «på vegner av» and nynorsk noun forms (opplysningane, tenestene, fullmakta).
 */
export const SEEDED_CONSENT_TEMPLATES: readonly ConsentTemplateView[] = [
  {
    id: 'default',
    version: 1,
    title: 'Samtykke til å dele opplysninger',
    isPoa: false,
    isMessageSetInRequest: true,
    texts: {
      title: {
        person: {
          nb: 'Samtykke til bruk av dine data',
          nn: 'Samtykke til bruk av dataa dine',
          en: 'Consent to the use of your data',
        },
        org: {
          nb: 'Samtykke til bruk av data om {OfferedBy}',
          nn: 'Samtykke til bruk av data om {OfferedBy}',
          en: 'Consent to the use of data about {OfferedBy}',
        },
      },
      heading: {
        person: {
          nb: '{CoveredBy} ønsker å hente opplysninger om deg',
          nn: '{CoveredBy} ønskjer å hente opplysningar om deg',
          en: '{CoveredBy} would like to retrieve information about you',
        },
        org: {
          nb: '{CoveredBy} ønsker å hente opplysninger om {OfferedBy}',
          nn: '{CoveredBy} ønskjer å hente opplysningar om {OfferedBy}',
          en: '{CoveredBy} would like to retrieve information about {OfferedBy}',
        },
      },
      serviceIntro: {
        person: {
          nb: 'Når du samtykker, får {CoveredBy} tilgang til disse opplysningene om deg:',
          nn: 'Når du samtykkjer, får {CoveredBy} tilgang til desse opplysningane om deg:',
          en: 'If you consent, {CoveredBy} gets access to the following information about you:',
        },
        org: {
          nb: 'Når du samtykker, får {CoveredBy} tilgang til disse opplysningene om {OfferedBy}:',
          nn: 'Når du samtykkjer, får {CoveredBy} tilgang til desse opplysningane om {OfferedBy}:',
          en: 'If you consent, {CoveredBy} gets access to the following information about {OfferedBy}:',
        },
      },
      overriddenDelegationContext: null,
      expiration: {
        nb: 'Samtykket er tidsavgrenset og utløper {Expiration}. Du kan trekke det tilbake når som helst før det.',
        nn: 'Samtykket er tidsavgrensa og går ut {Expiration}. Du kan trekkje det tilbake når som helst før det.',
        en: 'The consent is time-limited and expires {Expiration}. You can withdraw it at any time before then.',
      },
      expirationOneTime: {
        nb: 'Samtykket gjelder for én enkelt utlevering av opplysningene.',
        nn: 'Samtykket gjeld for éi enkelt utlevering av opplysningane.',
        en: 'The consent applies to a single disclosure of the information.',
      },
      serviceIntroAccepted: {
        person: {
          nb: 'Samtykket gir {CoveredBy} tilgang til disse opplysningene om deg:',
          nn: 'Samtykket gir {CoveredBy} tilgang til desse opplysningane om deg:',
          en: 'The consent gives {CoveredBy} access to the following information about you:',
        },
        org: {
          nb: 'Samtykket gir {CoveredBy} tilgang til disse opplysningene om {OfferedBy}:',
          nn: 'Samtykket gir {CoveredBy} tilgang til desse opplysningane om {OfferedBy}:',
          en: 'The consent gives {CoveredBy} access to the following information about {OfferedBy}:',
        },
      },
      handledBy: {
        nb: '{HandledBy} henter opplysningene på vegne av {CoveredBy}.',
        nn: '{HandledBy} hentar opplysningane på vegner av {CoveredBy}.',
        en: '{HandledBy} retrieves the information on behalf of {CoveredBy}.',
      },
    },
  },
  {
    id: 'poa',
    version: 1,
    title: 'Fullmakt til å utføre en tjeneste',
    isPoa: true,
    isMessageSetInRequest: true,
    texts: {
      title: {
        person: {
          nb: 'Fullmakt til å handle på dine vegne',
          nn: 'Fullmakt til å handle på vegner av deg',
          en: 'Power of attorney to act on your behalf',
        },
        org: {
          nb: 'Fullmakt til å handle på vegne av {OfferedBy}',
          nn: 'Fullmakt til å handle på vegner av {OfferedBy}',
          en: 'Power of attorney to act on behalf of {OfferedBy}',
        },
      },
      heading: {
        person: {
          nb: '{CoveredBy} ber om fullmakt til å handle på dine vegne',
          nn: '{CoveredBy} ber om fullmakt til å handle på vegner av deg',
          en: '{CoveredBy} asks for power of attorney to act on your behalf',
        },
        org: {
          nb: '{CoveredBy} ber om fullmakt til å handle på vegne av {OfferedBy}',
          nn: '{CoveredBy} ber om fullmakt til å handle på vegner av {OfferedBy}',
          en: '{CoveredBy} asks for power of attorney to act on behalf of {OfferedBy}',
        },
      },
      serviceIntro: {
        person: {
          nb: 'Når du gir fullmakt, kan {CoveredBy} bruke disse tjenestene på dine vegne:',
          nn: 'Når du gir fullmakt, kan {CoveredBy} bruke desse tenestene på vegner av deg:',
          en: 'If you grant power of attorney, {CoveredBy} can use the following services on your behalf:',
        },
        org: {
          nb: 'Når du gir fullmakt, kan {CoveredBy} bruke disse tjenestene på vegne av {OfferedBy}:',
          nn: 'Når du gir fullmakt, kan {CoveredBy} bruke desse tenestene på vegner av {OfferedBy}:',
          en: 'If you grant power of attorney, {CoveredBy} can use the following services on behalf of {OfferedBy}:',
        },
      },
      overriddenDelegationContext: null,
      expiration: {
        nb: 'Fullmakten er tidsavgrenset og utløper {Expiration}. Du kan trekke den tilbake når som helst før det.',
        nn: 'Fullmakta er tidsavgrensa og går ut {Expiration}. Du kan trekkje henne tilbake når som helst før det.',
        en: 'The power of attorney is time-limited and expires {Expiration}. You can revoke it at any time before then.',
      },
      expirationOneTime: {
        nb: 'Fullmakten gjelder for én enkelt bruk av tjenestene.',
        nn: 'Fullmakta gjeld for éin enkelt bruk av tenestene.',
        en: 'The power of attorney applies to a single use of the services.',
      },
      serviceIntroAccepted: {
        person: {
          nb: 'Fullmakten gir {CoveredBy} rett til å bruke disse tjenestene på dine vegne:',
          nn: 'Fullmakta gir {CoveredBy} rett til å bruke desse tenestene på vegner av deg:',
          en: 'The power of attorney lets {CoveredBy} use the following services on your behalf:',
        },
        org: {
          nb: 'Fullmakten gir {CoveredBy} rett til å bruke disse tjenestene på vegne av {OfferedBy}:',
          nn: 'Fullmakta gir {CoveredBy} rett til å bruke desse tenestene på vegner av {OfferedBy}:',
          en: 'The power of attorney lets {CoveredBy} use the following services on behalf of {OfferedBy}:',
        },
      },
      handledBy: {
        nb: '{HandledBy} bruker fullmakten på vegne av {CoveredBy}.',
        nn: '{HandledBy} bruker fullmakta på vegner av {CoveredBy}.',
        en: '{HandledBy} uses the power of attorney on behalf of {CoveredBy}.',
      },
    },
  },
];
