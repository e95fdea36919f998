import type { ValidationProblem } from '../common/errors/domain-error.js';
import { INVALID_VALUE } from '../common/errors/validation-errors.js';
import type { PrismaService, PrismaTx } from '../prisma/prisma.service.js';
import { AccessRequestErrors } from './access-request.errors.js';

/**
 * One 400 naming every scope that does not exist or is not the owner's (platform scopes
 * included): checked when a request is made, and again in the approval's transaction, since
 * a scope may have moved in between.
 */
export async function assertOwnersScopes(
  db: PrismaService | PrismaTx,
  scopes: string[],
  ownerOrgNumber: string,
  path = '$.scopes',
): Promise<void> {
  if (scopes.length === 0) return;
  const rows = await db.scope.findMany({
    where: { name: { in: scopes } },
    select: { name: true, ownerOrgNumber: true },
  });
  const owners = new Map(rows.map((r) => [r.name, r.ownerOrgNumber]));
  const problems: ValidationProblem[] = [];
  const bad: string[] = [];
  scopes.forEach((name, i) => {
    const title = !owners.has(name)
      ? `Scope '${name}' does not exist`
      : owners.get(name) !== ownerOrgNumber
        ? `Scope '${name}' belongs to another owner than the resource's service owner`
        : null;
    if (!title) return;
    bad.push(name);
    problems.push({ code: INVALID_VALUE, title, paths: [`${path}[${i}]`] });
  });
  if (problems.length) throw AccessRequestErrors.badScopes(problems, bad);
}
