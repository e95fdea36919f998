import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentPrincipal } from '../common/auth/auth.decorators.js';
import type { Principal } from '../common/auth/principal.js';
import { Scopes } from '../common/auth/scopes.js';
import { ScopedRoute, type Access } from '../common/http/owner-scoped.decorators.js';
import { ClientRegistryService } from './client-registry.service.js';
import { toClientResponse } from './client.mapper.js';
import { ClientIdParamsDto, ClientResponseDto, CreateClientDto, UpdateClientDto } from './dto/client.dto.js';
import { JwksDto, JwksResponseDto } from './dto/jwks.dto.js';

const NOT_FOUND = 'No such client for the caller’s organisation (CLI-00001).';
const INVALID_BODY = 'Invalid body (validationErrors).';
const READ: Access = { any: [Scopes.dcrRead, Scopes.dcrWrite] };
const WRITE: Access = { all: [Scopes.dcrWrite] };

/** Maskinporten DCR `/clients`: the caller's org owns its clients. `.write` implies `.read`. */
@ApiTags('Clients')
@Controller('api/v1/clients')
export class ClientsController {
  constructor(private readonly clients: ClientRegistryService) {}

  @Post()
  @HttpCode(201)
  @ScopedRoute(WRITE, {
    summary: 'Register a client',
    description:
      'Scopes must exist and be active (400 CLI.VLD-00001 naming each unknown one); they need not be granted ' +
      'to your org yet — the token endpoint checks grants. Upload keys with POST …/jwks.',
    created: ClientResponseDto,
    badRequest: INVALID_BODY,
  })
  async create(
    @CurrentPrincipal() principal: Principal,
    @Body() body: CreateClientDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ClientResponseDto> {
    const row = await this.clients.create(principal, body);
    void reply.header('Location', `/api/v1/clients/${row.clientId}`);
    return toClientResponse(row);
  }

  @Get()
  @ScopedRoute(READ, { summary: 'List the caller’s clients', ok: [ClientResponseDto] })
  async list(@CurrentPrincipal() principal: Principal): Promise<ClientResponseDto[]> {
    return (await this.clients.list(principal)).map(toClientResponse);
  }

  @Get(':clientId')
  @ScopedRoute(READ, { summary: 'Read a client', ok: ClientResponseDto, notFound: NOT_FOUND })
  async get(
    @CurrentPrincipal() principal: Principal,
    @Param() params: ClientIdParamsDto,
  ): Promise<ClientResponseDto> {
    return toClientResponse(await this.clients.get(principal, params.clientId));
  }

  @Put(':clientId')
  @ScopedRoute(WRITE, {
    summary: 'Update a client',
    description: 'Omitted fields keep their value.',
    ok: ClientResponseDto,
    notFound: NOT_FOUND,
    badRequest: INVALID_BODY,
  })
  async update(
    @CurrentPrincipal() principal: Principal,
    @Param() params: ClientIdParamsDto,
    @Body() body: UpdateClientDto,
  ): Promise<ClientResponseDto> {
    return toClientResponse(await this.clients.update(principal, params.clientId, body));
  }

  @Delete(':clientId')
  @HttpCode(204)
  @ScopedRoute(WRITE, { summary: 'Delete a client and its keys', noContent: 'Deleted.', notFound: NOT_FOUND })
  async remove(@CurrentPrincipal() principal: Principal, @Param() params: ClientIdParamsDto): Promise<void> {
    await this.clients.remove(principal, params.clientId);
  }

  @Get(':clientId/jwks')
  @ScopedRoute(READ, { summary: 'The client’s public keys', ok: JwksResponseDto, notFound: NOT_FOUND })
  async getKeys(
    @CurrentPrincipal() principal: Principal,
    @Param() params: ClientIdParamsDto,
  ): Promise<JwksResponseDto> {
    return { keys: await this.clients.getKeys(principal, params.clientId) };
  }

  @Post(':clientId/jwks')
  @HttpCode(201)
  @ScopedRoute(WRITE, {
    summary: 'Replace the client’s public keys',
    description:
      'Replaces the whole set atomically (an empty `keys` removes all). At most 5 keys; RSA 2048–8192 bits or ' +
      'EC P-256; unique `kid`; `alg` RS256/RS384/RS512/ES256 and `use` "sig" when present. Any private member ' +
      '→ 400 naming the key, nothing stored. Only public members are kept.',
    created: JwksResponseDto,
    notFound: NOT_FOUND,
    badRequest: 'A key was refused (validationErrors name each key by index).',
  })
  async replaceKeys(
    @CurrentPrincipal() principal: Principal,
    @Param() params: ClientIdParamsDto,
    @Body() body: JwksDto,
  ): Promise<JwksResponseDto> {
    return { keys: await this.clients.replaceKeys(principal, params.clientId, body.keys) };
  }
}
