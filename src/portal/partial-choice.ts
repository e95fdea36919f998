/**
 * The person's choice on a request that allows partial acceptance (beyond Altinn): the form's
 * `right` checkboxes read and checked before anything is stored, and what the page shows for
 * them. The consents service checks the same rules again (PA-0000x) when it stores the choice.
 */
import type { ConsentRecord } from '../consents/consent.record.js';
import type { ConsentTextModel } from './consent-presenter.service.js';
import { fill } from './portal-chrome-i18n.js';
import { PARTIAL } from './partial-acceptance-i18n.js';

/** What the checkbox fieldset shows: the rights, what was ticked, and the problems to fix. */
export interface ChoiceView {
  rights: { index: number; label: string; required: boolean; checked: boolean; invalid: boolean }[];
  errors: { target: string; text: string }[];
}

export type CheckedChoice = { accepted: number[]; view: null } | { accepted: null; view: ChoiceView };

const INDEX = /^(0|[1-9]\d{0,2})$/;

/**
 * The posted `right` values as indexes: [] when none was ticked, null when the form was not one
 * the page could have sent (a value that is no index, a repeated index, a non-string field).
 */
export function postedRights(body: unknown, rightsCount: number): number[] | null {
  const raw = body && typeof body === 'object' ? (body as Record<string, unknown>).right : undefined;
  const values = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  if (!values.every((v): v is string => typeof v === 'string' && INDEX.test(v))) return null;
  const indexes = values.map(Number);
  if (new Set(indexes).size !== indexes.length || indexes.some((i) => i >= rightsCount)) return null;
  return indexes;
}

/** A right as its checkbox names it: the title and, when it has some, its metadata. */
function label(right: ConsentTextModel['rights'][number]): string {
  const md = right.metadata.map((m) => `${m.key}: ${m.value}`).join(', ');
  return md ? `${right.title} (${md})` : right.title;
}

/** The fieldset before anything is chosen (nothing ticked in advance: consent is a choice). */
export function choiceView(model: ConsentTextModel, ticked: ReadonlySet<number> = new Set()): ChoiceView {
  return {
    rights: model.rights.map((r) => ({
      index: r.index,
      label: label(r),
      required: r.required,
      checked: ticked.has(r.index),
      invalid: false,
    })),
    errors: [],
  };
}

/** The posted choice when it can be accepted, else the fieldset again with what to fix. */
export function checkChoice(body: unknown, consent: ConsentRecord, model: ConsentTextModel): CheckedChoice {
  const pa = PARTIAL.in(model.language);
  const posted = postedRights(body, consent.consentRights.length);
  if (posted === null) {
    const view = choiceView(model);
    view.errors.push({ target: `right-${model.rights[0]?.index ?? 0}`, text: pa.invalidChoice });
    return { accepted: null, view };
  }
  const ticked = new Set(posted);
  const view = choiceView(model, ticked);
  if (!posted.length) {
    view.errors.push({ target: `right-${view.rights[0]?.index ?? 0}`, text: pa.nothingChosen });
    for (const r of view.rights) r.invalid = true;
  }
  for (const r of view.rights)
    if (r.required && !r.checked && posted.length) {
      r.invalid = true;
      const title = model.rights.find((x) => x.index === r.index)?.title ?? r.label;
      view.errors.push({ target: `right-${r.index}`, text: fill(pa.requiredMissing, { title }) });
    }
  return view.errors.length ? { accepted: null, view } : { accepted: posted, view: null };
}
