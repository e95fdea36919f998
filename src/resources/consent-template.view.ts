/** A text in the three official languages. */
export interface TemplateText {
  nb: string;
  nn: string;
  en: string;
}

/** A text that reads differently when the data subject is a person or an organisation. */
export interface PartyTemplateText {
  person: TemplateText;
  org: TemplateText;
}

/**
 * A consent template in Altinn's shape. Placeholders: `{CoveredBy}` (the consumer asking),
 * `{OfferedBy}` (the data subject), `{HandledBy}` (a supplier acting for the consumer) and
 * `{Expiration}` (the consent's end date).
 */
export interface ConsentTemplateView {
  id: string;
  version: number;
  title: string;
  /** A power of attorney ("fullmakt") rather than a consent to share data. */
  isPoa: boolean;
  /** The consumer's `requestMessage` is shown to the user. */
  isMessageSetInRequest: boolean;
  texts: {
    title: PartyTemplateText;
    heading: PartyTemplateText;
    serviceIntro: PartyTemplateText;
    overriddenDelegationContext: TemplateText | null;
    expiration: TemplateText;
    expirationOneTime: TemplateText;
    serviceIntroAccepted: PartyTemplateText;
    handledBy: TemplateText;
  };
}
