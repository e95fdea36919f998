import type pg from 'pg';

/**
 * Schema parity without the Prisma schema engine.
 *
 * `prisma migrate diff` would tell us whether the hand-written migrations build the database that
 * `schema.prisma` describes, but its native engine cannot be downloaded here (CONVENTIONS.md,
 * "Prisma 7"). So this file does the same job for the subset of the Prisma Schema Language this
 * project uses, in four steps:
 *
 * 1. `parsePrismaSchema`   schema text → models, fields and attributes (a tokenizer and a small
 *                          recursive-descent parser; comments and generator/datasource blocks
 *                          are skipped).
 * 2. `describeDatabase`    models → the tables, columns, keys, indexes and foreign keys that
 *                          Prisma's PostgreSQL connector creates for them, using Prisma's own
 *                          type mapping and constraint naming conventions.
 * 3. `readDatabaseShape`   a live database → the same shape, from pg_catalog.
 * 4. `diffDatabaseShapes`  both shapes → one readable line per difference (empty = in step).
 *
 * Anything outside the supported subset (enums, composite types, views, unknown native types,
 * index options…) is refused with an error rather than skipped, so the check can never pass by
 * silently ignoring part of the schema. Extend the tables below when the schema grows.
 */

// ───────────────────────── 1. parsing ─────────────────────────

export class PrismaSchemaError extends Error {
  constructor(message: string, line?: number) {
    super(line === undefined ? message : `schema.prisma line ${line}: ${message}`);
    this.name = 'PrismaSchemaError';
  }
}

/** An attribute argument value, e.g. `"org_number"`, `30000`, `now()`, `[a, b]`, `Cascade`. */
export type PrismaValue =
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: string }
  | { kind: 'ident'; name: string }
  | { kind: 'call'; name: string; args: PrismaArgument[] }
  | { kind: 'list'; items: PrismaValue[] };

/** `name: value` or a positional `value`. */
export interface PrismaArgument {
  name?: string;
  value: PrismaValue;
}

/** `@unique`, `@db.Uuid`, `@@index([a, b])`: name without the `@`/`@@`. */
export interface PrismaAttribute {
  name: string;
  args: PrismaArgument[];
  line: number;
}

export interface PrismaField {
  name: string;
  /** `String`, `DateTime`, … or another model's name for a relation field. */
  type: string;
  list: boolean;
  optional: boolean;
  attributes: PrismaAttribute[];
  line: number;
}

export interface PrismaModel {
  name: string;
  fields: PrismaField[];
  /** Block attributes (`@@id`, `@@unique`, `@@index`, `@@map`). */
  attributes: PrismaAttribute[];
  line: number;
}

export interface PrismaSchema {
  models: PrismaModel[];
}

type Token =
  | { kind: 'ident' | 'string' | 'number'; text: string; line: number }
  | { kind: 'punct'; text: string; line: number }
  | { kind: 'newline'; text: '\n'; line: number };

/** Splits the text into tokens. Newlines are kept because they end a field or attribute line. */
function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let line = 1;
  let i = 0;
  const push = (t: Token) => tokens.push(t);
  while (i < text.length) {
    const c = text[i];
    if (c === '\n') {
      // Consecutive newlines carry no meaning; one is enough to end a line.
      if (tokens.at(-1)?.kind !== 'newline') push({ kind: 'newline', text: '\n', line });
      line++;
      i++;
    } else if (c === ' ' || c === '\t' || c === '\r') {
      i++;
    } else if (c === '/' && text[i + 1] === '/') {
      // `//` comments and `///` doc comments alike run to the end of the line.
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '"') {
      let value = '';
      i++;
      while (text[i] !== '"') {
        if (i >= text.length || text[i] === '\n') throw new PrismaSchemaError('unterminated string', line);
        if (text[i] === '\\') {
          const escaped = text[i + 1];
          value += escaped === 'n' ? '\n' : escaped === 't' ? '\t' : (escaped ?? '');
          i += 2;
        } else {
          value += text[i];
          i++;
        }
      }
      i++;
      push({ kind: 'string', text: value, line });
    } else if (/[0-9]/.test(c) || (c === '-' && /[0-9]/.test(text[i + 1] ?? ''))) {
      const m = /^-?\d+(\.\d+)?/.exec(text.slice(i))!;
      push({ kind: 'number', text: m[0], line });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i))!;
      push({ kind: 'ident', text: m[0], line });
      i += m[0].length;
    } else if (c === '@') {
      const double = text[i + 1] === '@';
      push({ kind: 'punct', text: double ? '@@' : '@', line });
      i += double ? 2 : 1;
    } else if ('{}()[],:?.='.includes(c)) {
      push({ kind: 'punct', text: c, line });
      i++;
    } else {
      throw new PrismaSchemaError(`unexpected character ${JSON.stringify(c)}`, line);
    }
  }
  return tokens;
}

class Parser {
  private pos = 0;

  constructor(private readonly tokens: Token[]) {}

  parseSchema(): PrismaSchema {
    const models: PrismaModel[] = [];
    for (;;) {
      this.skipNewlines();
      const t = this.peek();
      if (!t) return { models };
      const keyword = this.expectIdent();
      if (keyword === 'model') models.push(this.parseModel(t.line));
      else if (keyword === 'generator' || keyword === 'datasource') this.skipBlock();
      else
        throw new PrismaSchemaError(
          `"${keyword}" blocks are not supported by the parity check; teach test/helpers/prisma-schema-parser.ts about them`,
          t.line,
        );
    }
  }

  private parseModel(line: number): PrismaModel {
    const name = this.expectIdent();
    this.expectPunct('{');
    const fields: PrismaField[] = [];
    const attributes: PrismaAttribute[] = [];
    for (;;) {
      this.skipNewlines();
      const t = this.peek();
      if (!t) throw new PrismaSchemaError(`model ${name} is not closed`, line);
      if (t.kind === 'punct' && t.text === '}') {
        this.pos++;
        return { name, fields, attributes, line };
      }
      if (t.kind === 'punct' && t.text === '@@') {
        this.pos++;
        attributes.push(this.parseAttribute(t.line));
      } else {
        fields.push(this.parseField());
      }
      this.expectEndOfLine();
    }
  }

  private parseField(): PrismaField {
    const line = this.peek()!.line;
    const name = this.expectIdent();
    const type = this.expectIdent();
    if (this.isPunct('('))
      throw new PrismaSchemaError(
        `field ${name} has type ${type}(…), which the parity check does not support`,
        line,
      );
    let list = false;
    let optional = false;
    if (this.isPunct('[')) {
      this.pos++;
      this.expectPunct(']');
      list = true;
    } else if (this.isPunct('?')) {
      this.pos++;
      optional = true;
    }
    const attributes: PrismaAttribute[] = [];
    while (this.isPunct('@')) {
      const at = this.peek()!.line;
      this.pos++;
      attributes.push(this.parseAttribute(at));
    }
    return { name, type, list, optional, attributes, line };
  }

  /** After `@`/`@@`: a name, possibly dotted (`db.Timestamptz`), and optional arguments. */
  private parseAttribute(line: number): PrismaAttribute {
    let name = this.expectIdent();
    while (this.isPunct('.')) {
      this.pos++;
      name += `.${this.expectIdent()}`;
    }
    const args = this.isPunct('(') ? this.parseArguments() : [];
    return { name, args, line };
  }

  /** `( [name:] value, … )` */
  private parseArguments(): PrismaArgument[] {
    this.expectPunct('(');
    const args: PrismaArgument[] = [];
    while (!this.isPunct(')')) {
      const t = this.peek();
      const u = this.tokens[this.pos + 1];
      if (t?.kind === 'ident' && u?.kind === 'punct' && u.text === ':') {
        this.pos += 2;
        args.push({ name: t.text, value: this.parseValue() });
      } else {
        args.push({ value: this.parseValue() });
      }
      if (this.isPunct(',')) this.pos++;
      else break;
    }
    this.expectPunct(')');
    return args;
  }

  private parseValue(): PrismaValue {
    const t = this.next();
    if (t.kind === 'string') return { kind: 'string', value: t.text };
    if (t.kind === 'number') return { kind: 'number', value: t.text };
    if (t.kind === 'ident') {
      // `now()`, `autoincrement()`, and field references with options like `a(sort: Desc)`.
      if (this.isPunct('(')) return { kind: 'call', name: t.text, args: this.parseArguments() };
      return { kind: 'ident', name: t.text };
    }
    if (t.kind === 'punct' && t.text === '[') {
      const items: PrismaValue[] = [];
      while (!this.isPunct(']')) {
        items.push(this.parseValue());
        if (this.isPunct(',')) this.pos++;
        else break;
      }
      this.expectPunct(']');
      return { kind: 'list', items };
    }
    throw new PrismaSchemaError(`unexpected ${JSON.stringify(t.text)} in attribute arguments`, t.line);
  }

  /** generator/datasource blocks say nothing about tables. */
  private skipBlock(): void {
    this.expectIdent();
    this.expectPunct('{');
    let depth = 1;
    while (depth > 0) {
      const t = this.next();
      if (t.kind === 'punct' && t.text === '{') depth++;
      if (t.kind === 'punct' && t.text === '}') depth--;
    }
  }

  private peek(): Token | undefined {
    return this.tokens[this.pos];
  }

  private next(): Token {
    const t = this.tokens[this.pos++];
    if (!t) throw new PrismaSchemaError('unexpected end of schema');
    return t;
  }

  private isPunct(text: string): boolean {
    const t = this.peek();
    return t?.kind === 'punct' && t.text === text;
  }

  private expectIdent(): string {
    const t = this.next();
    if (t.kind !== 'ident')
      throw new PrismaSchemaError(`expected a name, found ${JSON.stringify(t.text)}`, t.line);
    return t.text;
  }

  private expectPunct(text: string): void {
    const t = this.next();
    if (t.kind !== 'punct' || t.text !== text)
      throw new PrismaSchemaError(`expected "${text}", found ${JSON.stringify(t.text)}`, t.line);
  }

  private expectEndOfLine(): void {
    const t = this.peek();
    if (!t || t.kind === 'newline' || (t.kind === 'punct' && t.text === '}')) return;
    throw new PrismaSchemaError(
      `unexpected ${JSON.stringify(t.text)}; one field or attribute per line`,
      t.line,
    );
  }

  private skipNewlines(): void {
    while (this.peek()?.kind === 'newline') this.pos++;
  }
}

export function parsePrismaSchema(text: string): PrismaSchema {
  return new Parser(tokenize(text)).parseSchema();
}

// ───────────────────────── the shape of a database ─────────────────────────

export type ReferentialAction = 'Cascade' | 'Restrict' | 'NoAction' | 'SetNull' | 'SetDefault';

export interface ColumnShape {
  /** As PostgreSQL's format_type prints it: `text`, `timestamp(3) with time zone`, `text[]`. */
  type: string;
  nullable: boolean;
  /** Normalised default (see normaliseDefault), `null` when there is none. */
  default: string | null;
}

export interface KeyShape {
  name: string;
  /** Column names in key order; a descending column reads `col DESC`. */
  columns: string[];
}

export interface IndexShape extends KeyShape {
  unique: boolean;
  method: string;
  /** WHERE clause of a partial index; Prisma never creates one. */
  predicate: string | null;
}

export interface ForeignKeyShape extends KeyShape {
  referencedTable: string;
  referencedColumns: string[];
  onDelete: ReferentialAction;
  onUpdate: ReferentialAction;
}

export interface TableShape {
  columns: Record<string, ColumnShape>;
  primaryKey: KeyShape | null;
  /** Unique and plain indexes, not the primary key's. */
  indexes: IndexShape[];
  foreignKeys: ForeignKeyShape[];
}

export type DatabaseShape = Record<string, TableShape>;

// ───────────────────────── 2. schema → expected shape ─────────────────────────

type NativeType = (args: string[], line: number) => string;

function precision(name: string, args: string[], line: number): string {
  // Without an argument Prisma picks a precision itself; rather than guess it, the schema must say it.
  if (args.length !== 1)
    throw new PrismaSchemaError(`@db.${name} needs an explicit precision, e.g. @db.${name}(3)`, line);
  return args[0];
}

/**
 * Prisma's PostgreSQL type mapping: the column type without a native type attribute, and the
 * native types (`@db.X`) this check knows, each as format_type prints it.
 */
const SCALAR_TYPES: Record<string, { plain: string; native: Record<string, NativeType> }> = {
  String: {
    plain: 'text',
    native: {
      Text: () => 'text',
      Uuid: () => 'uuid',
      VarChar: (a) => (a.length ? `character varying(${a[0]})` : 'character varying'),
      Char: (a) => `character(${a[0] ?? 1})`,
    },
  },
  Int: { plain: 'integer', native: { Integer: () => 'integer', SmallInt: () => 'smallint' } },
  BigInt: { plain: 'bigint', native: { BigInt: () => 'bigint' } },
  Boolean: { plain: 'boolean', native: { Boolean: () => 'boolean' } },
  DateTime: {
    plain: 'timestamp(3) without time zone',
    native: {
      Timestamptz: (a, line) => `timestamp(${precision('Timestamptz', a, line)}) with time zone`,
      Timestamp: (a, line) => `timestamp(${precision('Timestamp', a, line)}) without time zone`,
      Date: () => 'date',
    },
  },
  Json: { plain: 'jsonb', native: { JsonB: () => 'jsonb', Json: () => 'json' } },
  Float: {
    plain: 'double precision',
    native: { DoublePrecision: () => 'double precision', Real: () => 'real' },
  },
  Decimal: {
    plain: 'numeric(65,30)',
    native: { Decimal: (a) => (a.length ? `numeric(${a.join(',')})` : 'numeric(65,30)') },
  },
  Bytes: { plain: 'bytea', native: { ByteA: () => 'bytea' } },
};

/** Prisma Client fills these in itself; the database gets no default for them. */
const CLIENT_SIDE_DEFAULTS = new Set(['uuid', 'cuid', 'nanoid', 'ulid']);

const FIELD_ATTRIBUTES = new Set(['id', 'unique', 'map', 'default', 'relation', 'updatedAt']);
const BLOCK_ATTRIBUTES = new Set(['id', 'unique', 'index', 'map']);
/** Named arguments each attribute may have; anything else is refused, not ignored. */
const ALLOWED_NAMED_ARGS: Record<string, string[]> = {
  id: ['map', 'name', 'fields'],
  unique: ['map', 'name', 'fields'],
  index: ['map', 'name', 'fields', 'type'],
  relation: ['name', 'fields', 'references', 'onDelete', 'onUpdate', 'map'],
  map: ['name'],
  default: ['map'],
};

/** PostgreSQL truncates identifiers beyond 63 bytes; Prisma's names for those are not ours to guess. */
const MAX_IDENTIFIER = 63;

function attr(attributes: PrismaAttribute[], name: string): PrismaAttribute | undefined {
  return attributes.find((a) => a.name === name);
}

function named(a: PrismaAttribute, name: string): PrismaValue | undefined {
  return a.args.find((x) => x.name === name)?.value;
}

/** The first positional argument, or the named one that may stand in for it (`fields:`). */
function firstArg(a: PrismaAttribute, alias?: string): PrismaValue | undefined {
  return a.args.find((x) => x.name === undefined)?.value ?? (alias ? named(a, alias) : undefined);
}

function stringArg(a: PrismaAttribute, value: PrismaValue | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (value.kind !== 'string') throw new PrismaSchemaError(`@${a.name} expects a string`, a.line);
  return value.value;
}

function checkArguments(a: PrismaAttribute): void {
  const allowed = ALLOWED_NAMED_ARGS[a.name] ?? [];
  for (const arg of a.args)
    if (arg.name !== undefined && !allowed.includes(arg.name))
      throw new PrismaSchemaError(`@${a.name}(${arg.name}: …) is not supported by the parity check`, a.line);
}

function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/**
 * One spelling for a default on both sides: `now()`, `autoincrement()`, a quoted string
 * `'x'`, a bare number or boolean, or the SQL of a `dbgenerated(...)` default.
 * PostgreSQL prints `CURRENT_TIMESTAMP`, `nextval('t_id_seq'::regclass)`, `'x'::text`,
 * `'104857600'::bigint` and the like; those casts and spellings are folded here.
 */
export function normaliseDefault(expression: string | null): string | null {
  if (expression === null) return null;
  let e = expression.trim();
  if (/^nextval\(/i.test(e)) return 'autoincrement()';
  if (/^(CURRENT_TIMESTAMP|now\(\))$/i.test(e)) return 'now()';
  for (;;) {
    const m = /^(.*)::[a-z_][a-z0-9_ ]*(\(\d+(,\s*\d+)?\))?(\[\])?$/is.exec(e);
    if (!m) break;
    e = m[1]!;
  }
  const quotedNumber = /^'(-?\d+(\.\d+)?)'$/.exec(e) ?? /^\((-?\d+(\.\d+)?)\)$/.exec(e);
  if (quotedNumber) return quotedNumber[1];
  return e;
}

function expectedDefault(field: PrismaField, a: PrismaAttribute): string | null {
  const v = firstArg(a);
  if (!v) throw new PrismaSchemaError(`@default on ${field.name} has no value`, a.line);
  switch (v.kind) {
    case 'string':
      return sqlString(v.value);
    case 'number':
      return v.value;
    case 'ident':
      if (v.name === 'true' || v.name === 'false') return v.name;
      throw new PrismaSchemaError(
        `@default(${v.name}) on ${field.name} is not supported (enums are not)`,
        a.line,
      );
    case 'call':
      if (v.name === 'now' || v.name === 'autoincrement') return `${v.name}()`;
      if (CLIENT_SIDE_DEFAULTS.has(v.name)) return null;
      if (v.name === 'dbgenerated') {
        const sql = v.args[0]?.value;
        if (sql?.kind !== 'string')
          throw new PrismaSchemaError('dbgenerated() needs the SQL expression', a.line);
        return normaliseDefault(sql.value);
      }
      throw new PrismaSchemaError(`@default(${v.name}()) is not supported by the parity check`, a.line);
    case 'list':
      throw new PrismaSchemaError(
        `list defaults (on ${field.name}) are not supported by the parity check`,
        a.line,
      );
  }
}

function columnType(field: PrismaField): string {
  const scalar = SCALAR_TYPES[field.type];
  if (!scalar)
    throw new PrismaSchemaError(
      `field ${field.name} has type ${field.type}, which the parity check cannot map`,
      field.line,
    );
  const nativeAttrs = field.attributes.filter((a) => a.name.startsWith('db.'));
  if (nativeAttrs.length > 1)
    throw new PrismaSchemaError(`field ${field.name} has two native types`, field.line);
  let type = scalar.plain;
  const native = nativeAttrs[0];
  if (native) {
    const nativeName = native.name.slice(3);
    const map = scalar.native[nativeName];
    if (!map)
      throw new PrismaSchemaError(
        `@db.${nativeName} on a ${field.type} is not known to the parity check`,
        native.line,
      );
    const args = native.args.map((x) => {
      if (x.value.kind !== 'number')
        throw new PrismaSchemaError(`@db.${nativeName} expects numbers`, native.line);
      return x.value.value;
    });
    type = map(args, native.line);
  }
  return field.list ? `${type}[]` : type;
}

/** A field name in a key or index list, possibly with options: `a`, `a(sort: Desc)`. */
function keyColumn(
  model: PrismaModel,
  columnOf: (field: string, line: number) => string,
  v: PrismaValue,
  line: number,
): string {
  if (v.kind === 'ident') return columnOf(v.name, line);
  if (v.kind === 'call') {
    let suffix = '';
    for (const arg of v.args) {
      if (
        arg.name === 'sort' &&
        arg.value.kind === 'ident' &&
        (arg.value.name === 'Asc' || arg.value.name === 'Desc')
      )
        suffix = arg.value.name === 'Desc' ? ' DESC' : '';
      else
        throw new PrismaSchemaError(
          `index options on ${model.name}.${v.name} are not supported beyond sort`,
          line,
        );
    }
    return columnOf(v.name, line) + suffix;
  }
  throw new PrismaSchemaError(`expected field names in ${model.name}`, line);
}

function constraintName(table: string, columns: string[], suffix: string, line: number): string {
  // Prisma's convention: {table}_{columns joined by _}_{pkey|key|idx|fkey}; sort order is not part of it.
  const name =
    suffix === 'pkey'
      ? `${table}_pkey`
      : `${table}_${columns.map((c) => c.replace(/ DESC$/, '')).join('_')}_${suffix}`;
  if (Buffer.byteLength(name) > MAX_IDENTIFIER)
    throw new PrismaSchemaError(
      `the default name ${name} is longer than ${MAX_IDENTIFIER} bytes; give it map: "…"`,
      line,
    );
  return name;
}

/**
 * The database Prisma's PostgreSQL connector would create for these models. Relation fields
 * (whose type is another model) become foreign keys, not columns; lists are nullable arrays, as
 * Prisma generates them; an optional relation's foreign key defaults to ON DELETE SET NULL and a
 * required one to RESTRICT, both ON UPDATE CASCADE.
 */
export function describeDatabase(schema: PrismaSchema): DatabaseShape {
  const models = new Map(schema.models.map((m) => [m.name, m]));
  if (models.size !== schema.models.length) throw new PrismaSchemaError('two models share a name');

  const tableOf = (m: PrismaModel) => {
    const map = attr(m.attributes, 'map');
    return (map && stringArg(map, firstArg(map, 'name'))) ?? m.name;
  };
  const columnOfField = (f: PrismaField) => {
    const map = attr(f.attributes, 'map');
    return (map && stringArg(map, firstArg(map, 'name'))) ?? f.name;
  };
  const columnResolver = (m: PrismaModel) => (fieldName: string, line: number) => {
    const f = m.fields.find((x) => x.name === fieldName);
    if (!f || models.has(f.type))
      throw new PrismaSchemaError(`${m.name} has no scalar field ${fieldName}`, line);
    return columnOfField(f);
  };
  const fieldList = (m: PrismaModel, a: PrismaAttribute): string[] => {
    const v = firstArg(a, 'fields');
    if (v?.kind !== 'list') throw new PrismaSchemaError(`@@${a.name} needs a list of fields`, a.line);
    return v.items.map((item) => keyColumn(m, columnResolver(m), item, a.line));
  };

  const shape: DatabaseShape = {};
  for (const model of schema.models) {
    const table = tableOf(model);
    if (shape[table]) throw new PrismaSchemaError(`two models map to table ${table}`, model.line);
    const t: TableShape = { columns: {}, primaryKey: null, indexes: [], foreignKeys: [] };
    shape[table] = t;
    const addIndex = (columns: string[], unique: boolean, a: PrismaAttribute) => {
      if (a.name === 'index') {
        const type = named(a, 'type');
        if (type && !(type.kind === 'ident' && type.name === 'BTree'))
          throw new PrismaSchemaError('only BTree indexes are supported by the parity check', a.line);
      }
      const name =
        stringArg(a, named(a, 'map')) ?? constraintName(table, columns, unique ? 'key' : 'idx', a.line);
      t.indexes.push({ name, columns, unique, method: 'btree', predicate: null });
    };

    for (const a of model.attributes) {
      if (!BLOCK_ATTRIBUTES.has(a.name))
        throw new PrismaSchemaError(`@@${a.name} is not supported by the parity check`, a.line);
      checkArguments(a);
    }

    for (const field of model.fields) {
      for (const a of field.attributes) {
        if (!FIELD_ATTRIBUTES.has(a.name) && !a.name.startsWith('db.'))
          throw new PrismaSchemaError(`@${a.name} is not supported by the parity check`, a.line);
        if (!a.name.startsWith('db.')) checkArguments(a);
      }

      const target = models.get(field.type);
      if (target) {
        // A relation field. Only the side with `fields:`/`references:` owns a foreign key.
        const relation = attr(field.attributes, 'relation');
        const fields = relation && named(relation, 'fields');
        const references = relation && named(relation, 'references');
        if (!relation || (!fields && !references)) continue;
        if (
          fields?.kind !== 'list' ||
          references?.kind !== 'list' ||
          fields.items.length !== references.items.length
        )
          throw new PrismaSchemaError(
            `@relation on ${model.name}.${field.name} needs fields and references of equal length`,
            relation.line,
          );
        const columns = fields.items.map((v) => keyColumn(model, columnResolver(model), v, relation.line));
        const referencedColumns = references.items.map((v) =>
          keyColumn(target, columnResolver(target), v, relation.line),
        );
        const fkFields = fields.items.map((v) =>
          model.fields.find((f) => v.kind === 'ident' && f.name === v.name)!,
        );
        const action = (key: 'onDelete' | 'onUpdate', fallback: ReferentialAction): ReferentialAction => {
          const v = named(relation, key);
          if (!v) return fallback;
          if (
            v.kind === 'ident' &&
            ['Cascade', 'Restrict', 'NoAction', 'SetNull', 'SetDefault'].includes(v.name)
          )
            return v.name as ReferentialAction;
          throw new PrismaSchemaError(`unknown ${key} on ${model.name}.${field.name}`, relation.line);
        };
        t.foreignKeys.push({
          name:
            stringArg(relation, named(relation, 'map')) ??
            constraintName(table, columns, 'fkey', relation.line),
          columns,
          referencedTable: tableOf(target),
          referencedColumns,
          onDelete: action('onDelete', fkFields.every((f) => f.optional) ? 'SetNull' : 'Restrict'),
          onUpdate: action('onUpdate', 'Cascade'),
        });
        continue;
      }

      const column = columnOfField(field);
      if (t.columns[column])
        throw new PrismaSchemaError(`two fields map to column ${table}.${column}`, field.line);
      const def = attr(field.attributes, 'default');
      t.columns[column] = {
        type: columnType(field),
        nullable: field.optional || field.list,
        default: def ? expectedDefault(field, def) : null,
      };
      const id = attr(field.attributes, 'id');
      if (id) {
        if (t.primaryKey) throw new PrismaSchemaError(`${model.name} has two primary keys`, id.line);
        t.primaryKey = {
          name: stringArg(id, named(id, 'map')) ?? constraintName(table, [column], 'pkey', id.line),
          columns: [column],
        };
      }
      const unique = attr(field.attributes, 'unique');
      if (unique) addIndex([column], true, unique);
    }

    for (const a of model.attributes) {
      if (a.name === 'id') {
        if (t.primaryKey) throw new PrismaSchemaError(`${model.name} has two primary keys`, a.line);
        const columns = fieldList(model, a);
        t.primaryKey = {
          name: stringArg(a, named(a, 'map')) ?? constraintName(table, columns, 'pkey', a.line),
          columns,
        };
      } else if (a.name === 'unique' || a.name === 'index') {
        addIndex(fieldList(model, a), a.name === 'unique', a);
      }
    }
    // Primary key columns are NOT NULL whatever the field says (Prisma refuses optional ids anyway).
    for (const c of t.primaryKey?.columns ?? []) if (t.columns[c]) t.columns[c].nullable = false;
  }
  return shape;
}

// ───────────────────────── 3. database → actual shape ─────────────────────────

/** Tables Prisma itself owns in every migrated database; not part of the data model. */
const PRISMA_TABLES = new Set(['_prisma_migrations']);

const ACTIONS: Record<string, ReferentialAction> = {
  a: 'NoAction',
  r: 'Restrict',
  c: 'Cascade',
  n: 'SetNull',
  d: 'SetDefault',
};

/** `"Name"` → `Name`: pg_get_indexdef quotes identifiers that need it, we compare bare names. */
function unquote(identifier: string): string {
  const m = /^"((?:[^"]|"")*)"$/.exec(identifier);
  return m ? m[1].replaceAll('""', '"') : identifier;
}

/**
 * Reads the current schema of a live database from pg_catalog (which PGlite has too, unlike
 * some information_schema views' privileges filtering). Plain catalog queries only, so it also
 * works inside a transaction that the caller rolls back (the drift tests rely on that).
 */
export async function readDatabaseShape(client: pg.Client | pg.PoolClient): Promise<DatabaseShape> {
  const shape: DatabaseShape = {};

  const columns = await client.query<{
    table_name: string;
    column_name: string;
    type: string;
    nullable: boolean;
    default: string | null;
  }>(`
    SELECT c.relname AS table_name, a.attname AS column_name, format_type(a.atttypid, a.atttypmod) AS type,
           NOT a.attnotnull AS nullable, pg_get_expr(d.adbin, d.adrelid) AS default
      FROM pg_attribute a
      JOIN pg_class c ON c.oid = a.attrelid
      JOIN pg_namespace n ON n.oid = c.relnamespace
      LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
     WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
     ORDER BY c.relname, a.attnum`);
  for (const r of columns.rows) {
    if (PRISMA_TABLES.has(r.table_name)) continue;
    shape[r.table_name] ??= { columns: {}, primaryKey: null, indexes: [], foreignKeys: [] };
    shape[r.table_name].columns[r.column_name] = {
      type: r.type,
      nullable: r.nullable,
      default: normaliseDefault(r.default),
    };
  }

  // A table without columns would be missed above; list tables on their own too.
  const tables = await client.query<{ table_name: string }>(`
    SELECT c.relname AS table_name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')`);
  for (const r of tables.rows)
    if (!PRISMA_TABLES.has(r.table_name))
      shape[r.table_name] ??= { columns: {}, primaryKey: null, indexes: [], foreignKeys: [] };

  // Index key columns as pg_get_indexdef prints them (an expression index shows its expression),
  // with DESC / NULLS options from indoption: bit 1 = DESC, bit 2 = NULLS FIRST.
  const indexes = await client.query<{
    table_name: string;
    index_name: string;
    is_primary: boolean;
    is_unique: boolean;
    method: string;
    predicate: string | null;
    columns: string[];
  }>(`
    SELECT t.relname AS table_name, i.relname AS index_name, ix.indisprimary AS is_primary,
           ix.indisunique AS is_unique, am.amname AS method, pg_get_expr(ix.indpred, ix.indrelid) AS predicate,
           ARRAY(
             SELECT pg_get_indexdef(ix.indexrelid, k.ord, true) || CASE
                      WHEN ix.indoption[k.ord - 1] & 3 = 3 THEN ' DESC'
                      WHEN ix.indoption[k.ord - 1] & 1 = 1 THEN ' DESC NULLS LAST'
                      WHEN ix.indoption[k.ord - 1] & 2 = 2 THEN ' NULLS FIRST'
                      ELSE '' END
               FROM generate_series(1, ix.indnkeyatts::int) AS k(ord)
              ORDER BY k.ord
           )::text[] AS columns
      FROM pg_index ix
      JOIN pg_class i ON i.oid = ix.indexrelid
      JOIN pg_class t ON t.oid = ix.indrelid
      JOIN pg_namespace n ON n.oid = t.relnamespace
      JOIN pg_am am ON am.oid = i.relam
     WHERE n.nspname = current_schema()
     ORDER BY t.relname, i.relname`);
  for (const r of indexes.rows) {
    const t = shape[r.table_name];
    if (!t) continue;
    const cols = r.columns.map((c) => {
      const m = /^(.*?)((?: DESC)?(?: NULLS (?:FIRST|LAST))?)$/.exec(c)!;
      return unquote(m[1]) + m[2];
    });
    if (r.is_primary) t.primaryKey = { name: r.index_name, columns: cols };
    else
      t.indexes.push({
        name: r.index_name,
        columns: cols,
        unique: r.is_unique,
        method: r.method,
        predicate: r.predicate,
      });
  }

  const foreignKeys = await client.query<{
    table_name: string;
    name: string;
    referenced_table: string;
    columns: string[];
    referenced_columns: string[];
    on_delete: string;
    on_update: string;
  }>(`
    SELECT t.relname AS table_name, con.conname AS name, rt.relname AS referenced_table,
           ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord)
                   JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum ORDER BY k.ord) AS columns,
           ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY AS k(attnum, ord)
                   JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum ORDER BY k.ord) AS referenced_columns,
           con.confdeltype::text AS on_delete, con.confupdtype::text AS on_update
      FROM pg_constraint con
      JOIN pg_class t ON t.oid = con.conrelid
      JOIN pg_namespace n ON n.oid = t.relnamespace
      JOIN pg_class rt ON rt.oid = con.confrelid
     WHERE con.contype = 'f' AND n.nspname = current_schema()
     ORDER BY t.relname, con.conname`);
  for (const r of foreignKeys.rows) {
    const t = shape[r.table_name];
    if (!t) continue;
    t.foreignKeys.push({
      name: r.name,
      columns: r.columns,
      referencedTable: r.referenced_table,
      referencedColumns: r.referenced_columns,
      onDelete: ACTIONS[r.on_delete] ?? (r.on_delete as ReferentialAction),
      onUpdate: ACTIONS[r.on_update] ?? (r.on_update as ReferentialAction),
    });
  }
  return shape;
}

// ───────────────────────── 4. comparison ─────────────────────────

const cols = (columns: string[]) => `(${columns.join(', ')})`;
const describeIndex = (i: IndexShape) =>
  `${i.unique ? 'unique ' : ''}${i.method} on ${cols(i.columns)}${i.predicate ? ` WHERE ${i.predicate}` : ''}`;
const describeForeignKey = (f: ForeignKeyShape) =>
  `${cols(f.columns)} → ${f.referencedTable}${cols(f.referencedColumns)} ON DELETE ${f.onDelete} ON UPDATE ${f.onUpdate}`;
const describeDefault = (d: string | null) => d ?? 'none';

/**
 * Every difference between what schema.prisma describes (`expected`) and what the database has
 * (`actual`), one sentence each, sorted. An empty list means the two are in step.
 */
export function diffDatabaseShapes(expected: DatabaseShape, actual: DatabaseShape): string[] {
  const out: string[] = [];
  const inSchemaOnly = 'is in schema.prisma but not in the database';
  const inDatabaseOnly = 'is in the database but not in schema.prisma';

  for (const table of new Set([...Object.keys(expected), ...Object.keys(actual)])) {
    const e = expected[table];
    const a = actual[table];
    if (!e || !a) {
      out.push(`table ${table} ${e ? inSchemaOnly : inDatabaseOnly}`);
      continue;
    }

    for (const column of new Set([...Object.keys(e.columns), ...Object.keys(a.columns)])) {
      const ec = e.columns[column];
      const ac = a.columns[column];
      const where = `column ${table}.${column}`;
      if (!ec || !ac) {
        out.push(`${where} ${ec ? inSchemaOnly : inDatabaseOnly}`);
        continue;
      }
      if (ec.type !== ac.type)
        out.push(`${where} is ${ec.type} in schema.prisma but ${ac.type} in the database`);
      if (ec.nullable !== ac.nullable)
        out.push(
          `${where} is ${ec.nullable ? 'nullable' : 'NOT NULL'} in schema.prisma but ${ac.nullable ? 'nullable' : 'NOT NULL'} in the database`,
        );
      if (ec.default !== ac.default)
        out.push(
          `${where} has default ${describeDefault(ec.default)} in schema.prisma but ${describeDefault(ac.default)} in the database`,
        );
    }

    const ep = e.primaryKey;
    const ap = a.primaryKey;
    const describeKey = (k: KeyShape | null) => (k ? `${k.name} ${cols(k.columns)}` : 'none');
    if (describeKey(ep) !== describeKey(ap))
      out.push(
        `primary key of ${table} is ${describeKey(ep)} in schema.prisma but ${describeKey(ap)} in the database`,
      );

    const eIdx = new Map(e.indexes.map((i) => [i.name, i]));
    const aIdx = new Map(a.indexes.map((i) => [i.name, i]));
    for (const name of new Set([...eIdx.keys(), ...aIdx.keys()])) {
      const ei = eIdx.get(name);
      const ai = aIdx.get(name);
      if (!ei || !ai)
        out.push(
          `index ${name} on ${table} ${describeIndex((ei ?? ai)!)} ${ei ? inSchemaOnly : inDatabaseOnly}`,
        );
      else if (describeIndex(ei) !== describeIndex(ai))
        out.push(
          `index ${name} on ${table} is ${describeIndex(ei)} in schema.prisma but ${describeIndex(ai)} in the database`,
        );
    }

    const eFk = new Map(e.foreignKeys.map((f) => [f.name, f]));
    const aFk = new Map(a.foreignKeys.map((f) => [f.name, f]));
    for (const name of new Set([...eFk.keys(), ...aFk.keys()])) {
      const ef = eFk.get(name);
      const af = aFk.get(name);
      if (!ef || !af)
        out.push(
          `foreign key ${name} on ${table} ${describeForeignKey((ef ?? af)!)} ${ef ? inSchemaOnly : inDatabaseOnly}`,
        );
      else if (describeForeignKey(ef) !== describeForeignKey(af))
        out.push(
          `foreign key ${name} on ${table} is ${describeForeignKey(ef)} in schema.prisma but ${describeForeignKey(af)} in the database`,
        );
    }
  }
  return out.sort();
}
