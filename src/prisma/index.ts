export * from './prisma.service.js';
export * from './prisma.module.js';
export * from './database-connection.js';
export * from './database-circuit.js';
export * from './database-unavailable.js';
export * from './sql-pool.js';
