/**
 * Turns a consent request into what the person reads (DESIGN §4.2, §4.7, §4.8): the template
 * version and resource versions the request was created under, in one language, with the
 * placeholders filled in. The same rendering is shown on the request page and stored as the
 * receipt on accept, so the receipt is exactly the text that was on the screen.
 */
import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-error.js';
import { parsePartyUrn } from '../common/identifiers/party-urn.js';
import type { ConsentRecord } from '../consents/consent.record.js';
import { AuditService } from '../audit/audit.service.js';
import { ClientsService } from '../clients/clients.service.js';
import { OrganizationNamesService } from '../owners/organization-names.service.js';
import type { ConsentResourceView } from '../resources/consent-resource.view.js';
import type { ConsentTemplateView, TemplateText } from '../resources/consent-template.view.js';
import { ResourcesService } from '../resources/resources.service.js';
import { TemplatesService } from '../resources/templates.service.js';
import { renderConsentMarkdown, substituteMetadata } from './consent-markdown.js';
import { formatDateTime, type Lang } from '../common/i18n/languages.js';
import { UI } from './portal-i18n.js';
import { CHROME, fill as fillIn } from './portal-chrome-i18n.js';
import { PARTIAL } from './partial-acceptance-i18n.js';
import { PortalViews } from './portal-views.js';

/** The request's resource versions (in the order its rights name them) and template version. */
export interface LoadedConsent {
  resources: ConsentResourceView[];
  template: ConsentTemplateView;
}

export interface PartyLabel {
  /** What placeholders read: the organisation's name when known, else its number. */
  short: string;
  /** Name and number, or the number alone. */
  full: string;
  /** The organisation's name, or null (a person, or an organisation without a known name). */
  name: string | null;
  /** The number as secondary text: "org.nr. 923 609 016" / "fødselsnr. 010190 12345". */
  number: string;
}

export interface RenderedRight {
  /** The right's index in `consentRights` (what a partial acceptance names). */
  index: number;
  resource: string;
  versionId: string;
  title: string;
  /** The right's metadata in the order it was requested (empty when it has none). */
  metadata: { key: string; value: string }[];
  /**
   * True when the consent names this resource in more than one right (e.g. `inntektsaar` 2023
   * and 2024): then each right's heading and a list show its own metadata, because the owner's
   * text need not mention every key and the person must see what each right covers.
   */
  showMetadata: boolean;
  /** The owner's markdown with the metadata substituted (escaped), as rendered below. */
  markdown: string;
  html: string;
  /** Partial acceptance: the consumer marked this right required. */
  required: boolean;
  /** Partial acceptance, once decided: accepted or declined, with its label; null otherwise. */
  outcome: { accepted: boolean; label: string } | null;
}

/** Everything the consent text shows; also the structured part of the receipt. */
export interface ConsentTextModel {
  language: Lang;
  isOrganisation: boolean;
  title: string;
  heading: string;
  intro: string;
  coveredBy: PartyLabel;
  offeredBy: PartyLabel;
  handledBy: PartyLabel | null;
  /** "via <client name>": the consumer's client that made the request, when it tells more. */
  via: string | null;
  handledByText: string | null;
  requestMessage: string | null;
  /** Set when the message is shown in another language than the page. */
  requestMessageLang: Lang | null;
  expiration: string;
  rights: RenderedRight[];
  /** Partial acceptance, once decided: "You accepted 2 of 3 …"; null otherwise. */
  partialSummary: string | null;
  /** Who holds the data: each resource owner once, named. */
  dataHolders: PartyLabel[];
  templateId: string;
  templateVersion: number;
}

const TEMPLATE_PLACEHOLDER = /\{(CoveredBy|OfferedBy|HandledBy|Expiration)\}/g;

/** Formats 974760673 as "974 760 673" and 02013299997 as "020132 99997" for reading. */
export function formatPartyNumber(id: string): string {
  if (/^\d{9}$/.test(id)) return `${id.slice(0, 3)} ${id.slice(3, 6)} ${id.slice(6)}`;
  if (/^\d{11}$/.test(id)) return `${id.slice(0, 6)} ${id.slice(6)}`;
  return id;
}

/** The text in `lang`, else the first of nb, en, nn that exists (with the language it is in). */
function pickWithLang(
  text: Partial<TemplateText> | Record<string, string> | null | undefined,
  lang: Lang,
): { text: string; lang: Lang } | null {
  if (!text) return null;
  const t = text as Record<string, unknown>;
  for (const l of [lang, 'nb', 'en', 'nn'] as const) {
    const v = t[l];
    if (typeof v === 'string' && v.trim()) return { text: v, lang: l };
  }
  return null;
}

function pick(
  text: Partial<TemplateText> | Record<string, string> | null | undefined,
  lang: Lang,
): string | null {
  return pickWithLang(text, lang)?.text ?? null;
}

@Injectable()
export class ConsentPresenterService {
  constructor(
    private readonly resources: ResourcesService,
    private readonly templates: TemplatesService,
    private readonly names: OrganizationNamesService,
    private readonly audit: AuditService,
    private readonly clients: ClientsService,
    private readonly views: PortalViews,
  ) {}

  /** The resource versions the consent names (its rights' order, each once). */
  async loadResources(consent: ConsentRecord): Promise<ConsentResourceView[]> {
    const identifiers = [...new Set(consent.consentRights.flatMap((r) => r.resource.map((x) => x.value)))];
    const views = await Promise.all(
      identifiers.map((id) => {
        const versionId = consent.resourceVersions[id];
        return versionId ? this.resources.getConsentResourceVersion(id, versionId) : Promise.resolve(null);
      }),
    );
    // A consent keeps pointing at its versions forever (they are never deleted); a gap is a bug.
    if (views.some((v) => !v))
      throw new DomainError(
        500,
        'PORTAL-00500',
        `Consent ${consent.id} names a resource version that does not exist.`,
      );
    return views as ConsentResourceView[];
  }

  async load(consent: ConsentRecord): Promise<LoadedConsent> {
    const [resources, template] = await Promise.all([
      this.loadResources(consent),
      this.templates.getTemplate(consent.templateId, consent.templateVersion),
    ]);
    if (!template)
      throw new DomainError(
        500,
        'PORTAL-00500',
        `Consent ${consent.id} names template ${consent.templateId} v${consent.templateVersion}, which does not exist.`,
      );
    return { resources, template };
  }

  /**
   * A party as the page names it: an organisation by its name from the organisation register
   * (number as secondary text), a person by the formatted number. `cache` saves lookups when a
   * page lists many consents (see `preloadNames`).
   */
  async partyLabel(partyUrn: string, lang: Lang, cache?: Map<string, string | null>): Promise<PartyLabel> {
    const party = parsePartyUrn(partyUrn);
    if (!party) return { short: partyUrn, full: partyUrn, name: null, number: partyUrn };
    const number = formatPartyNumber(party.id);
    if (party.type === 'person')
      return { short: number, full: number, name: null, number: `${CHROME.in(lang).person} ${number}` };
    let name: string | null | undefined = cache?.get(party.id);
    if (name === undefined) {
      // Consumers need not be in the register: then only the number is known.
      name = (await this.names.nameOf(party.id, lang)) ?? null;
      cache?.set(party.id, name);
    }
    const orgNo = `${UI.in(lang).orgNo} ${number}`;
    return name
      ? { short: name, full: `${name} (${orgNo})`, name, number: orgNo }
      : { short: number, full: orgNo, name: null, number: orgNo };
  }

  /** Looks up every organisation these consents name in one query, into `cache`. */
  async preloadNames(
    consents: ConsentRecord[],
    extraOrgs: string[],
    lang: Lang,
    cache: Map<string, string | null>,
  ) {
    const orgs = new Set(extraOrgs);
    for (const c of consents)
      for (const urn of [c.to, c.from, c.handledBy]) {
        const party = urn ? parsePartyUrn(urn) : null;
        if (party?.type === 'organization') orgs.add(party.id);
      }
    const wanted = [...orgs].filter((o) => !cache.has(o));
    const found = await this.names.namesOf(wanted, lang);
    for (const org of wanted) cache.set(org, found.get(org) ?? null);
  }

  /**
   * "via <client>" per consent: the name of the consumer's client that created the request (from
   * the audit trail), kept only when it adds something to the organisation's name — a client
   * named like its organisation says nothing new.
   */
  async viaClients(consents: ConsentRecord[], lang: Lang, names: Map<string, string | null>) {
    const creators = await this.audit.clientsThatDid(
      'consent.created',
      'consent',
      consents.map((c) => c.id),
    );
    const clientNames = await this.clients.namesOf([...creators.values()]);
    const via = new Map<string, string>();
    for (const consent of consents) {
      const client = clientNames.get(creators.get(consent.id) ?? '');
      const org = names.get(consent.toOrg) ?? null;
      if (client && client.trim() && client.trim().toLowerCase() !== org?.toLowerCase())
        via.set(consent.id, `${CHROME.in(lang).via} ${client.trim()}`);
    }
    return via;
  }

  /** The organisations whose data the consent covers (resource owners), each once. */
  dataHolders(resources: ConsentResourceView[], lang: Lang, cache?: Map<string, string | null>) {
    const owners = [...new Set(resources.map((r) => r.ownerOrgNumber))];
    return Promise.all(
      owners.map((org) => this.partyLabel(`urn:altinn:organization:identifier-no:${org}`, lang, cache)),
    );
  }

  /**
   * `declined` (a partial acceptance's choice, as it is being accepted) defaults to what the
   * consent has stored, so the receipt and the page after acceptance say what was accepted.
   */
  async build(
    consent: ConsentRecord,
    loaded: LoadedConsent,
    lang: Lang,
    declined: readonly number[] | null = consent.partialAcceptance?.declined ?? null,
  ): Promise<ConsentTextModel> {
    const { template } = loaded;
    const isOrganisation = parsePartyUrn(consent.from)?.type === 'organization';
    const who = isOrganisation ? 'org' : 'person';
    const names = new Map<string, string | null>();
    await this.preloadNames(
      [consent],
      loaded.resources.map((r) => r.ownerOrgNumber),
      lang,
      names,
    );
    const [coveredBy, offeredBy, handledBy, dataHolders] = await Promise.all([
      this.partyLabel(consent.to, lang, names),
      this.partyLabel(consent.from, lang, names),
      consent.handledBy ? this.partyLabel(consent.handledBy, lang, names) : Promise.resolve(null),
      this.dataHolders(loaded.resources, lang, names),
    ]);
    const via = (await this.viaClients([consent], lang, names)).get(consent.id) ?? null;
    const values: Record<string, string> = {
      CoveredBy: coveredBy.short,
      OfferedBy: offeredBy.short,
      HandledBy: handledBy?.short ?? '',
      Expiration: formatDateTime(consent.validTo, lang),
    };
    // Template texts are plain text: filled in here, HTML-escaped by the view.
    const fill = (text: Partial<TemplateText> | null | undefined) =>
      (pick(text, lang) ?? '').replace(TEMPLATE_PLACEHOLDER, (_m, key: string) => values[key] ?? '');

    const message = template.isMessageSetInRequest ? pickWithLang(consent.requestMessage, lang) : null;
    const byId = new Map(loaded.resources.map((r) => [r.identifier, r]));
    const rightsPerResource = new Map<string, number>();
    for (const right of consent.consentRights)
      for (const ref of right.resource)
        rightsPerResource.set(ref.value, (rightsPerResource.get(ref.value) ?? 0) + 1);
    const pa = PARTIAL.in(lang);
    const required = new Set(consent.partialAcceptance?.required ?? []);
    const decided = consent.partialAcceptance && declined ? new Set(declined) : null;
    const rights: RenderedRight[] = consent.consentRights.flatMap((right, index) =>
      right.resource.map((ref) => {
        const resource = byId.get(ref.value)!;
        const markdown = substituteMetadata(pick(resource.consentText, lang) ?? '', right.metadata);
        return {
          index,
          resource: resource.identifier,
          versionId: resource.versionId,
          title: pick(resource.title, lang) ?? resource.identifier,
          metadata: Object.entries(right.metadata ?? {}).map(([key, value]) => ({ key, value })),
          showMetadata: (rightsPerResource.get(ref.value) ?? 0) > 1,
          markdown,
          html: renderConsentMarkdown(markdown),
          required: required.has(index),
          outcome: decided
            ? decided.has(index)
              ? { accepted: false, label: pa.declined }
              : { accepted: true, label: pa.accepted }
            : null,
        };
      }),
    );

    return {
      language: lang,
      isOrganisation,
      title: fill(template.texts.title[who]),
      heading: fill(template.texts.heading[who]),
      intro: fill(template.texts.serviceIntro[who]),
      coveredBy,
      offeredBy,
      handledBy,
      via,
      handledByText: handledBy ? fill(template.texts.handledBy) : null,
      requestMessage: message?.text ?? null,
      // The consumer may not have written every language: mark the one shown (WCAG 3.1.2).
      requestMessageLang: message && message.lang !== lang ? message.lang : null,
      expiration: fill(consent.isOneTime ? template.texts.expirationOneTime : template.texts.expiration),
      rights,
      partialSummary: decided
        ? fillIn(pa.summary, {
            accepted: rights.length - decided.size,
            total: rights.length,
            consumer: coveredBy.short,
          })
        : null,
      dataHolders,
      templateId: template.id,
      templateVersion: template.version,
    };
  }

  /** The consent text as HTML: shown on the request page and stored verbatim as the receipt. */
  renderHtml(model: ConsentTextModel): string {
    return this.views.render('consent-text.njk', {
      c: model,
      t: UI.in(model.language),
      ch: CHROME.in(model.language),
    });
  }

  /** The structured receipt: every text the page showed, in the language shown. */
  receiptText(model: ConsentTextModel): Record<string, unknown> {
    return {
      language: model.language,
      title: model.title,
      heading: model.heading,
      intro: model.intro,
      coveredBy: model.coveredBy.full,
      via: model.via,
      offeredBy: model.offeredBy.full,
      handledBy: model.handledBy?.full ?? null,
      dataHolders: model.dataHolders.map((h) => h.full),
      handledByText: model.handledByText,
      requestMessage: model.requestMessage,
      expiration: model.expiration,
      rights: model.rights.map((r) => ({
        resource: r.resource,
        versionId: r.versionId,
        title: r.title,
        metadata: Object.fromEntries(r.metadata.map((m) => [m.key, m.value])),
        text: r.markdown,
        // Partial acceptance (beyond Altinn) only: what the person accepted and declined.
        ...(r.required ? { required: true } : {}),
        ...(r.outcome ? { accepted: r.outcome.accepted } : {}),
      })),
      ...(model.partialSummary ? { partialSummary: model.partialSummary } : {}),
      templateId: model.templateId,
      templateVersion: model.templateVersion,
    };
  }
}
