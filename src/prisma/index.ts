export * from './prisma.service.js';
export * from './prisma.module.js';
export * from './database-connection.js';
