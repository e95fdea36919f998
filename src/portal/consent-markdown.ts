/**
 * Consent texts are markdown written by the service owner, with `{key}` placeholders filled from
 * metadata the consumer sends (DESIGN §4.8). The consumer is less trusted than the owner, so:
 *
 * - metadata is substituted as *text*: control characters become spaces and every ASCII
 *   punctuation character is backslash-escaped, so a value cannot open a link, an emphasis, a
 *   heading or an HTML tag (CommonMark lets any ASCII punctuation be escaped);
 * - markdown-it runs with `html: false` (raw HTML is shown as text), no linkify, no images
 *   (CSP would block remote ones anyway), and links only to http(s) and mailto;
 * - the result is the only HTML the templates mark as safe; everything else is autoescaped.
 */
import { createRequire } from 'node:module';
import type MarkdownItModule from 'markdown-it';
import type { MarkdownIt as MarkdownItInstance } from 'markdown-it';
import { CONSENT_TEXT_PLACEHOLDER } from '../resources/consent-resource.view.js';

/**
 * markdown-it (and its entities, linkify and punycode tables) is loaded on the first consent
 * text rendered, not at boot: only the portal renders markdown, and the module stayed on the
 * heap of every process (issue 22). A require, not an import(): rendering is synchronous.
 */
const load = createRequire(import.meta.url);

const ALLOWED_LINK = /^(https?:|mailto:)/i;

function createMarkdown(): MarkdownItInstance {
  const MarkdownIt = load('markdown-it') as typeof MarkdownItModule;
  const md = new MarkdownIt({ html: false, linkify: false, typographer: false, breaks: false });
  md.disable(['image']);
  md.validateLink = (url: string) => ALLOWED_LINK.test(url.trim());
  // Links leave the portal: no Referer (the URL carries the consent id) and no window.opener.
  const defaultLinkOpen =
    md.renderer.rules.link_open ??
    ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
  md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
    tokens[idx].attrSet('rel', 'noopener noreferrer');
    return defaultLinkOpen(tokens, idx, options, env, self);
  };
  return md;
}

let md: MarkdownItInstance | undefined;

/** A value shown literally inside markdown: no markup, no line structure. */
export function escapeMarkdownText(value: string): string {
  return (
    value
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ')
      .replace(/[!-/:-@[-`{-~]/g, '\\$&')
  );
}

/** Replaces `{key}` with the escaped metadata value (empty for an optional key left out). */
export function substituteMetadata(
  markdown: string,
  metadata: Record<string, string> | null | undefined,
): string {
  return markdown.replace(CONSENT_TEXT_PLACEHOLDER, (_m, key: string) => {
    const v = metadata && Object.prototype.hasOwnProperty.call(metadata, key) ? metadata[key] : undefined;
    return typeof v === 'string' ? escapeMarkdownText(v) : '';
  });
}

/** Markdown → HTML under the rules above. */
export function renderConsentMarkdown(markdown: string): string {
  md ??= createMarkdown();
  return md.render(markdown);
}
