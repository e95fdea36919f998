/**
 * Who may call the access-list routes and how they are documented, shared by the controllers of
 * lists, members and resource connections. Reads take the read or the write scope (or the
 * operator's admin scope); writes need the write scope; the owner check is the service's.
 */
import { applyDecorators, type Type } from '@nestjs/common';
import { ApiParam } from '@nestjs/swagger';
import { Scopes } from '../common/auth/scopes.js';
import { ScopedRoute, type Access, type RouteDocs } from '../common/http/owner-scoped.decorators.js';
import { ApiConditional, VERSION_RESPONSE_HEADERS } from './access-list-http.js';

export const LIST_READERS: Access = { any: [Scopes.accessListRead, Scopes.accessListWrite, Scopes.admin] };
export const LIST_WRITERS: Access = { all: [Scopes.accessListWrite] };

export const NO_SUCH_LIST = 'No such list for this owner';

/** A 200/201 body that comes with the list's `ETag` and `Last-Modified`. */
export function versioned(type: Type<unknown>, description?: string) {
  return { type, headers: VERSION_RESPONSE_HEADERS, ...(description === undefined ? {} : { description }) };
}

/**
 * The `:owner/:identifier` path parameters of a write, documented here because `@ListTarget()`
 * reads them (a param decorator cannot document them itself: Nest hands its enhancers no method
 * descriptor). Reads keep `@Param`: an explicit parameter would be listed after their query's.
 */
const LIST_PATH_PARAMS = [
  ApiParam({ name: 'owner', type: String }),
  ApiParam({ name: 'identifier', type: String }),
];

/** A read that honours the condition headers (304 when nothing changed). */
export function ConditionalRead(docs: RouteDocs): MethodDecorator {
  return applyDecorators(ScopedRoute(LIST_READERS, docs), ApiConditional('read'));
}

/** A write on one list that honours the condition headers (412 when one fails). */
export function ConditionalWrite(docs: RouteDocs): MethodDecorator {
  return applyDecorators(...LIST_PATH_PARAMS, ScopedRoute(LIST_WRITERS, docs), ApiConditional('write'));
}
